import SQLKit

/// Which SQL engine is underneath; consulted only by the few named places that need dialect-specific SQL.
public enum SQLDialectKind: String, Sendable {
    case sqlite
    case postgres
}

/// The one seam between Parley and its database: reads on any connection, writes inside a transaction.
///
/// Both engines expose `SQLKit.SQLDatabase`, so queries are written once with `SQLQueryString`
/// interpolation and bind the right placeholder syntax for each engine.
public protocol DatabaseEngine: Sendable {
    var dialect: SQLDialectKind { get }

    /// Runs `body` on a connection outside any explicit transaction.
    func read<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R

    /// Runs `body` inside one transaction: committed when it returns, rolled back when it throws.
    func transaction<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R

    /// Runs `body`, which makes its change in one statement, as its own transaction: PostgreSQL
    /// skips the BEGIN and COMMIT round trips (a statement is atomic by itself); SQLite, whose
    /// writes all go through the writer, runs it as `transaction`.
    func autocommit<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R

    /// Connections currently lent out, for the `/metrics` pool gauge.
    var connectionsInUse: Int { get }

    func shutdown() async
}

extension SQLDatabase {
    /// Executes `sql` with the rows discarded.
    public func exec(_ sql: SQLQueryString) async throws {
        try await self.raw(sql).run()
    }
}

extension SQLDatabase {
    /// Runs `body` between `begin` and COMMIT, rolling back when it throws.
    func inTransaction<R>(begin: SQLQueryString = "BEGIN", _ body: (any SQLDatabase) async throws -> R) async throws -> R {
        try await exec(begin)
        do {
            let result = try await body(self)
            try await exec("COMMIT")
            return result
        } catch {
            try? await exec("ROLLBACK")
            throw error
        }
    }
}
