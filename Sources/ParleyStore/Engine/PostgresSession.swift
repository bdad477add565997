import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit

/// A lent PostgreSQL connection seen through SQLKit, which also hands out the connection itself for
/// the few hot statements that run as named prepared statements (parsed and planned once per
/// connection instead of on every call).
struct PostgresSession: SQLDatabase {
    let connection: PostgresConnection
    private let base: any SQLDatabase

    init(_ connection: PostgresConnection) {
        self.connection = connection
        self.base = connection.sql()
    }

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await base.execute(sql: query, onRow)
    }

    /// Runs a prepared statement and collects its rows.
    func run<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] {
        var rows: [Statement.Row] = []
        for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
        return rows
    }
}
