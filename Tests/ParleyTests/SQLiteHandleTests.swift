import Foundation
import Logging
import ParleySQLite
import ParleyStore
import SQLKit
import Testing

/// The SQLite connection under the store: cached statements must behave exactly like fresh ones.
@Suite("SQLite connection")
struct SQLiteHandleTests {
    private func withHandle(_ body: (SQLiteHandle) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("parley-sqlite-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let handle = try SQLiteHandle(path: path)
        defer { handle.close() }
        try body(handle)
    }

    private func rows(_ handle: SQLiteHandle, _ sql: String, _ binds: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        var rows: [[SQLiteValue]] = []
        try handle.run(sql, binds: binds) { _, values in rows.append(values) }
        return rows
    }

    @Test("every storage class round-trips, including text with a NUL and non-ASCII, and empty blobs")
    func roundTrip() throws {
        try withHandle { handle throws in
            try handle.run("CREATE TABLE t (a, b, c, d, e)", binds: []) { _, _ in }
            let values: [SQLiteValue] = [.integer(Int64.max), .real(-1.5), .text("a\u{0}b é 🎉"), .blob([0, 255, 7]), .null]
            try handle.run("INSERT INTO t VALUES (?, ?, ?, ?, ?)", binds: values) { _, _ in }
            try handle.run("INSERT INTO t VALUES (?, ?, ?, ?, ?)", binds: [.integer(0), .real(0), .text(""), .blob([]), .null]) { _, _ in }
            var columns: [String] = []
            var read: [[SQLiteValue]] = []
            try handle.run("SELECT a, b, c AS text, d, e FROM t ORDER BY rowid", binds: []) { names, row in
                columns = names
                read.append(row)
            }
            #expect(columns == ["a", "b", "text", "d", "e"])
            #expect(read == [values, [.integer(0), .real(0), .text(""), .blob([]), .null]])
        }
    }

    @Test("a cached statement that failed runs again cleanly with new binds, and a unique violation is recognized")
    func reuseAfterFailure() throws {
        try withHandle { handle throws in
            try handle.run("CREATE TABLE t (k TEXT PRIMARY KEY NOT NULL, n INTEGER UNIQUE)", binds: []) { _, _ in }
            let insert = "INSERT INTO t (k, n) VALUES (?, ?) RETURNING k"
            #expect(try rows(handle, insert, [.text("a"), .integer(1)]) == [[.text("a")]])
            let failure = #expect(throws: SQLiteFailure.self) { try handle.run(insert, binds: [.text("b"), .integer(1)]) { _, _ in } }
            #expect(failure?.isUniqueViolation == true)
            #expect(failure?.message.contains("UNIQUE") == true)
            #expect(try rows(handle, insert, [.text("c"), .integer(2)]) == [[.text("c")]])
            #expect(try rows(handle, "SELECT k FROM t ORDER BY k") == [[.text("a")], [.text("c")]])
            let notUnique = #expect(throws: SQLiteFailure.self) { try handle.run("INSERT INTO t (k, n) VALUES (NULL, 3)", binds: []) { _, _ in } }
            #expect(notUnique?.isUniqueViolation == false)
        }
    }

    @Test("a statement abandoned mid-result is reset: its next run starts from the first row")
    func abandonedStatementResets() throws {
        struct Stop: Error {}
        try withHandle { handle throws in
            try handle.run("CREATE TABLE t (n INTEGER)", binds: []) { _, _ in }
            for number in 1...3 { try handle.run("INSERT INTO t VALUES (?)", binds: [.integer(Int64(number))]) { _, _ in } }
            #expect(throws: Stop.self) { try handle.run("SELECT n FROM t ORDER BY n", binds: []) { _, _ in throw Stop() } }
            #expect(try rows(handle, "SELECT n FROM t ORDER BY n") == [[.integer(1)], [.integer(2)], [.integer(3)]])
        }
    }

    @Test("more distinct statements than the cache holds still all answer correctly")
    func cacheOverflow() throws {
        try withHandle { handle throws in
            let count = SQLiteHandle.cacheLimit + 20
            for round in 0..<2 {
                for number in 0..<count {
                    #expect(try rows(handle, "SELECT \(number) + ?", [.integer(Int64(round))]) == [[.integer(Int64(number + round))]])
                }
            }
        }
    }

    @Test("two statements in one call are refused, and bad SQL names the problem")
    func refusals() throws {
        try withHandle { handle throws in
            let twice = #expect(throws: SQLiteFailure.self) { try handle.run("SELECT 1; SELECT 2", binds: []) { _, _ in } }
            #expect(twice?.message.contains("one statement per call") == true)
            #expect(try rows(handle, "SELECT 1;  ") == [[.integer(1)]])
            let syntax = #expect(throws: SQLiteFailure.self) { try handle.run("SELEC 1", binds: []) { _, _ in } }
            #expect(syntax?.message.contains("syntax error") == true)
        }
    }
}

/// `Thread.current` is off limits in async code; a synchronous call reads the thread it runs on.
private func currentThreadName() -> String? { Thread.current.name }

@Suite("SQLite engine threads")
struct SQLiteEngineThreadTests {
    @Test("a transaction's statements run on the writer's own thread, reads on a reader's, never on the cooperative pool")
    func ownThreads() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("parley-engine-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let engine = try await SQLiteEngine.open(path: path, readers: 2, logger: Logger(label: "test"))
        let written = try await engine.transaction { db in
            try await db.raw("CREATE TABLE t (n INTEGER)").run()
            let first = currentThreadName()
            try await db.raw("INSERT INTO t VALUES (1)").run()
            return [first, currentThreadName()]
        }
        #expect(written == ["sqlite-writer", "sqlite-writer"])
        let read = try await engine.read { db in
            (try await db.raw("SELECT n FROM t").first(decodingColumn: "n", as: Int.self), currentThreadName())
        }
        #expect(read.0 == 1)
        #expect(read.1?.hasPrefix("sqlite-reader-") == true)
        await engine.shutdown()
        await #expect(throws: SQLiteFailure.self) { try await engine.read { db in try await db.raw("SELECT 1").run() } }
    }

    @Test("the WAL is checkpointed off the writer and kept bounded: thousands of commits leave it a fraction of their size")
    func checkpointsKeepTheWALSmall() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("parley-wal-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let engine = try await SQLiteEngine.open(path: path, readers: 1, logger: Logger(label: "test"))
        try await engine.transaction { db in try await db.raw("CREATE TABLE t (n INTEGER, pad TEXT)").run() }
        let commits = SQLiteEngine.walFramesBeforeCatchUp * 3
        for index in 0..<commits {
            // Each commit appends at least one 4 KiB page to the WAL.
            try await engine.transaction { db in
                try await db.raw("INSERT INTO t VALUES (\(bind: index), \(bind: String(repeating: "x", count: 100)))").run()
            }
        }
        let walBytes = try #require(try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int)
        // SQLite's own automatic checkpoint is off on every connection; without the engine's, the WAL
        // would hold every commit.
        #expect(walBytes < commits * 4096 / 2, "WAL is \(walBytes) bytes after \(commits) commits")
        await engine.shutdown()
    }
}
