import Foundation
import Logging
import SQLKit
import SQLiteKit
import SQLiteNIO
import Synchronization

/// SQLite in WAL mode: one writer connection for transactions, a few reader connections for queries.
///
/// WAL lets readers run beside the writer; each connection is guarded by its own FIFO lock because a
/// SQLite connection runs one statement sequence at a time.
public final class SQLiteEngine: DatabaseEngine {
    public let dialect = SQLDialectKind.sqlite
    private let writer: Guarded
    private let readers: [Guarded]
    private let nextReader = Atomic<Int>(0)
    private let inUse = Atomic<Int>(0)
    /// Fires after every committed write transaction (the realtime feed tails the outbox on it).
    public let commits = CommitSignal()

    private struct Guarded: Sendable {
        let connection: SQLiteConnection
        let mutex = AsyncMutex()
    }

    /// Opens (creating if needed) the database file at `path`.
    public static func open(path: String, readers: Int = 3, logger: Logger) async throws -> SQLiteEngine {
        func connect() async throws -> SQLiteConnection {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON",
                           "PRAGMA busy_timeout = 5000"] {
                _ = try await connection.query(pragma)
            }
            return connection
        }
        let writer = try await connect()
        var readerConnections: [SQLiteConnection] = []
        for _ in 0..<max(1, readers) {
            readerConnections.append(try await connect())
        }
        return SQLiteEngine(writer: writer, readers: readerConnections)
    }

    private init(writer: SQLiteConnection, readers: [SQLiteConnection]) {
        self.writer = Guarded(connection: writer)
        self.readers = readers.map { Guarded(connection: $0) }
    }

    public var connectionsInUse: Int { inUse.load(ordering: .relaxed) }

    public func read<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        let reader = readers[abs(index % readers.count)]
        return try await reader.mutex.withLock {
            inUse.add(1, ordering: .relaxed)
            defer { inUse.subtract(1, ordering: .relaxed) }
            return try await body(reader.connection.sql())
        }
    }

    public func transaction<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await writer.mutex.withLock {
            inUse.add(1, ordering: .relaxed)
            defer { inUse.subtract(1, ordering: .relaxed) }
            // IMMEDIATE takes the write lock up front, so a transaction never fails half-way on upgrade.
            let result = try await writer.connection.sql().inTransaction(begin: "BEGIN IMMEDIATE", body)
            commits.signal()
            return result
        }
    }

    public func shutdown() async {
        for guarded in [writer] + readers {
            try? await guarded.connection.close()
        }
    }
}
