import Logging
import ParleySQLite
import SQLKit
import Synchronization

/// SQLite in WAL mode: one writer connection for transactions, a few reader connections for queries.
///
/// WAL lets readers run beside the writer. Each connection has its own thread and FIFO lock: a
/// caller takes the lock, and its whole body (every statement of a transaction) runs on that
/// thread, with statements prepared once and kept.
public final class SQLiteEngine: DatabaseEngine {
    public let dialect = SQLDialectKind.sqlite
    private let writer: Lane
    private let readers: [Lane]
    private let logger: Logger
    private let nextReader = Atomic<Int>(0)
    private let inUse = Atomic<Int>(0)
    /// Fires after every committed write transaction (the realtime feed tails the outbox on it).
    public let commits = CommitSignal()

    /// A connection, the thread its statements run on, and the lock that lends it to one caller.
    private struct Lane: Sendable {
        let handle: SQLiteHandle
        let executor: DedicatedThreadExecutor
        let mutex = AsyncMutex()

        init(path: String, name: String) throws {
            handle = try SQLiteHandle(path: path)
            executor = DedicatedThreadExecutor(name: name)
            for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON",
                           "PRAGMA busy_timeout = 5000"] {
                try handle.run(pragma, binds: []) { _, _ in }
            }
        }
    }

    /// Opens (creating if needed) the database file at `path`.
    public static func open(path: String, readers: Int = 3, logger: Logger) async throws -> SQLiteEngine {
        let writer = try Lane(path: path, name: "sqlite-writer")
        let readers = try (0..<max(1, readers)).map { try Lane(path: path, name: "sqlite-reader-\($0)") }
        return SQLiteEngine(writer: writer, readers: readers, logger: logger)
    }

    private init(writer: Lane, readers: [Lane], logger: Logger) {
        self.writer = writer
        self.readers = readers
        self.logger = logger
    }

    public var connectionsInUse: Int { inUse.load(ordering: .relaxed) }

    public func read<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        return try await use(readers[abs(index % readers.count)], body)
    }

    public func transaction<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let result = try await use(writer) { db in
            // IMMEDIATE takes the write lock up front, so a transaction never fails half-way on upgrade.
            try await db.inTransaction(begin: "BEGIN IMMEDIATE", body)
        }
        commits.signal()
        return result
    }

    public func autocommit<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await transaction(body)
    }

    private func use<R: Sendable>(_ lane: Lane, _ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await withTaskExecutorPreference(lane.executor) {
            try await lane.mutex.withLock {
                inUse.add(1, ordering: .relaxed)
                defer { inUse.subtract(1, ordering: .relaxed) }
                return try await body(SQLiteSession(handle: lane.handle, logger: logger))
            }
        }
    }

    public func shutdown() async {
        for lane in [writer] + readers {
            try? await lane.mutex.withLock { lane.handle.close() }
            lane.executor.stop()
        }
    }
}
