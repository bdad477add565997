import Logging
import NIOCore
import NIOPosix
import ParleySQLite
import SQLKit
import SQLiteKit

/// A lent SQLite connection seen through SQLKit's `SQLDatabase`, so the store's queries are the
/// same on both engines. Statements run synchronously on the caller's thread: the engine makes
/// that the connection's own thread. Binds and columns go through SQLiteKit's encoder and
/// decoder, so values map exactly as they did through SQLiteNIO.
struct SQLiteSession: SQLDatabase {
    let handle: SQLiteHandle
    let logger: Logger

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    private static let encoder = SQLiteDataEncoder()

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try run(query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        eventLoop.makeCompletedFuture { try run(query, onRow) }
    }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> Void) throws {
        let (sql, binds) = serialize(query)
        logger.debug("Executing query", metadata: ["sql": "\(sql)"])  // as SQLKit does for PostgreSQL (binds left out)
        let values = try binds.map { try SQLiteValue(Self.encoder.encode($0)) }
        var columns: SQLiteResultRow.Columns?
        try handle.run(sql, binds: values) { names, row in
            let shared = columns ?? SQLiteResultRow.Columns(names)
            columns = shared
            onRow(SQLiteResultRow(columns: shared, values: row))
        }
    }
}

/// One result row: the statement's column names (shared by its rows) and this row's values.
struct SQLiteResultRow: SQLRow {
    final class Columns: Sendable {
        let names: [String]
        let index: [String: Int]

        init(_ names: [String]) {
            self.names = names
            index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    let columns: Columns
    let values: [SQLiteValue]

    private static let decoder = SQLiteDataDecoder()

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.index[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        columns.index[column].map { values[$0] == .null } ?? true
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let position = columns.index[column] else {
            throw DecodingError.keyNotFound(ColumnKey(stringValue: column),
                                            .init(codingPath: [], debugDescription: "the result has no column \(column)"))
        }
        return try Self.decoder.decode(D.self, from: SQLiteData(values[position]))
    }

    private struct ColumnKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension SQLiteValue {
    init(_ data: SQLiteData) {
        switch data {
        case .integer(let number): self = .integer(Int64(number))
        case .float(let number): self = .real(number)
        case .text(let text): self = .text(text)
        case .blob(let bytes): self = .blob(Array(bytes.readableBytesView))
        case .null: self = .null
        }
    }
}

extension SQLiteData {
    init(_ value: SQLiteValue) {
        switch value {
        case .integer(let number): self = .integer(Int(number))
        case .real(let number): self = .float(number)
        case .text(let text): self = .text(text)
        case .blob(let bytes): self = .blob(ByteBuffer(bytes: bytes))
        case .null: self = .null
        }
    }
}
