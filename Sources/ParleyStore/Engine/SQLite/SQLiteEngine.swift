import Logging
import ParleySQLite
import SQLKit
import Synchronization

/// SQLite in WAL mode: one writer connection for transactions, a few reader connections for queries.
///
/// WAL lets readers run beside the writer. Each connection has its own thread and FIFO lock: a
/// caller takes the lock, and its whole body (every statement of a transaction) runs on that
/// thread, with statements prepared once and kept.
///
/// Checkpoints (copying the WAL back into the database file, with an fsync) run on a connection
/// and thread of their own, never in a writer's commit: SQLite's automatic checkpoint made every
/// thousandth commit wait tens of milliseconds, which was the whole p99 of the realtime benchmark.
public final class SQLiteEngine: DatabaseEngine {
    public let dialect = SQLDialectKind.sqlite
    private let writer: Lane
    private let readers: [Lane]
    private let checkpointer: Lane
    private let commitsSinceCheckpoint = Atomic<Int>(0)
    private let checkpointRunning = Atomic<Bool>(false)
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
                           "PRAGMA busy_timeout = 5000", "PRAGMA wal_autocheckpoint = 0"] {
                try handle.run(pragma, binds: []) { _, _ in }
            }
        }
    }

    /// Opens (creating if needed) the database file at `path`.
    public static func open(path: String, readers: Int = 3, logger: Logger) async throws -> SQLiteEngine {
        let writer = try Lane(path: path, name: "sqlite-writer")
        let readers = try (0..<max(1, readers)).map { try Lane(path: path, name: "sqlite-reader-\($0)") }
        let checkpointer = try Lane(path: path, name: "sqlite-checkpoint")
        return SQLiteEngine(writer: writer, readers: readers, checkpointer: checkpointer, logger: logger)
    }

    private init(writer: Lane, readers: [Lane], checkpointer: Lane, logger: Logger) {
        self.writer = writer
        self.readers = readers
        self.checkpointer = checkpointer
        self.logger = logger
    }

    /// Commits between checkpoints: about what SQLite's automatic checkpoint (1,000 WAL pages) did.
    public static let commitsPerCheckpoint = 500

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
        checkpointIfDue()
        return result
    }

    /// Starts a passive checkpoint on the checkpoint connection every `commitsPerCheckpoint`
    /// commits, unless one is running. Passive: it copies what it can without blocking the writer
    /// or readers; the writer starts the WAL over once a checkpoint caught up with it.
    private func checkpointIfDue() {
        guard commitsSinceCheckpoint.wrappingAdd(1, ordering: .relaxed).newValue >= Self.commitsPerCheckpoint,
            checkpointRunning.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        commitsSinceCheckpoint.store(0, ordering: .relaxed)
        Task {
            defer { checkpointRunning.store(false, ordering: .releasing) }
            do {
                try await checkpoint()
            } catch {
                logger.warning("WAL checkpoint failed; the next one will retry", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Runs one checkpoint now (what the periodic one does). A passive checkpoint under steady
    /// writes never quite catches up, and only a caught-up WAL starts over from its beginning; so
    /// once the WAL is past `walFramesBeforeCatchUp`, a second passive checkpoint runs on the writer
    /// itself, between transactions, for the few frames the first left. The next transaction then
    /// starts the WAL over (readers permitting), which bounds its size without SQLite's own
    /// blocking modes (TRUNCATE cost the writer about 40 ms each time, most of it busy-waiting).
    public func checkpoint() async throws {
        let frames = try await use(checkpointer) { db in try await Self.passiveCheckpoint(db) }
        if frames > Self.walFramesBeforeCatchUp {
            _ = try await use(writer) { db in try await Self.passiveCheckpoint(db) }
        }
    }

    /// The WAL's size in frames (4 KiB pages) when the checkpoint began.
    private static func passiveCheckpoint(_ db: any SQLDatabase) async throws -> Int {
        try await db.raw("PRAGMA wal_checkpoint(PASSIVE)").first(decodingColumn: "log", as: Int.self) ?? 0
    }

    /// WAL frames beyond which a checkpoint also catches up on the writer.
    public static let walFramesBeforeCatchUp = 10_000

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
        for lane in [writer, checkpointer] + readers {
            try? await lane.mutex.withLock { lane.handle.close() }
            lane.executor.stop()
        }
    }
}
