import Foundation
import SQLKit
import Logging
import ParleyCore
import ParleyServer
import ParleyStore
import Testing

/// The two databases every store and API test runs on.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// A database made for one test and dropped after it.
struct TestDatabase: Sendable {
    let backend: Backend
    /// The PostgreSQL URL, or nil for SQLite (which lives in `directory`).
    let url: String?
    let directory: String

    static func make(_ backend: Backend) async throws -> TestDatabase {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parley-test-\(RandomToken.make(length: 10))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        switch backend {
        case .sqlite:
            return TestDatabase(backend: backend, url: nil, directory: directory)
        case .postgres:
            return TestDatabase(backend: backend, url: try await PostgresTestServer.shared.createDatabase(), directory: directory)
        }
    }

    func drop() async {
        try? FileManager.default.removeItem(atPath: directory)
        if let url { await PostgresTestServer.shared.dropDatabase(url) }
    }
}

/// Runs `body` with a fresh database of `backend`, dropped afterwards whatever happens.
func withTestDatabase<R: Sendable>(_ backend: Backend, _ body: (TestDatabase) async throws -> R) async throws -> R {
    let database = try await TestDatabase.make(backend)
    do {
        let result = try await body(database)
        await database.drop()
        return result
    } catch {
        await database.drop()
        throw error
    }
}

/// Creates per-test PostgreSQL databases from one migrated template on the server named by
/// `PARLEY_TEST_DATABASE_URL` (scripts/test.sh starts a throwaway cluster and sets it).
/// Without it, PostgreSQL tests fail loudly: they are never skipped.
actor PostgresTestServer {
    static let shared = PostgresTestServer()

    struct Missing: Error, CustomStringConvertible {
        let description = "PARLEY_TEST_DATABASE_URL is not set: run the suite with scripts/test.sh, which provisions PostgreSQL"
    }

    private var admin: PostgresEngine?
    private var template: Task<String, any Error>?
    private let logger = quietLogger("parley-test-postgres")

    func createDatabase() async throws -> String {
        let admin = try adminEngine()
        let template = try await templateName(admin)
        let name = "parley_t_" + RandomToken.make(length: 12).lowercased()
        try await admin.read { db in try await db.exec("CREATE DATABASE \(unsafeRaw: name) TEMPLATE \(unsafeRaw: template)") }
        return try Self.url(forDatabase: name)
    }

    func dropDatabase(_ url: String) async {
        guard let admin, let name = URLComponents(string: url)?.path.dropFirst() else { return }
        _ = try? await admin.read { db in try await db.exec("DROP DATABASE IF EXISTS \(unsafeRaw: String(name)) WITH (FORCE)") }
    }

    private func adminEngine() throws -> PostgresEngine {
        if let admin { return admin }
        guard let url = ProcessInfo.processInfo.environment["PARLEY_TEST_DATABASE_URL"], !url.isEmpty else { throw Missing() }
        let engine = try PostgresEngine(url: url, maxConnections: 4, logger: logger)
        Task { try? await engine.run() }
        admin = engine
        return engine
    }

    /// A database with every migration applied, copied for each test (much faster than migrating each).
    private func templateName(_ admin: PostgresEngine) async throws -> String {
        // Memoize the task, not the name: tests arrive concurrently and must share one template.
        if let template { return try await template.value }
        let task = Task { try await Self.makeTemplate(admin, logger: logger) }
        template = task
        return try await task.value
    }

    private static func makeTemplate(_ admin: PostgresEngine, logger: Logger) async throws -> String {
        let name = "parley_template_\(ProcessInfo.processInfo.processIdentifier)_\(RandomToken.make(length: 6).lowercased())"
        try await admin.read { db in try await db.exec("CREATE DATABASE \(unsafeRaw: name)") }
        let engine = try PostgresEngine(url: try Self.url(forDatabase: name), maxConnections: 1, logger: logger)
        let runner = Task { try? await engine.run() }
        try await Migrator(engine: engine, logger: logger).migrate()
        runner.cancel()
        await runner.value
        // A template must have no open connections while it is copied.
        try await admin.read { db in
            try await db.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(bind: name) AND pid <> pg_backend_pid()")
        }
        return name
    }

    static func url(forDatabase name: String) throws -> String {
        guard var components = URLComponents(string: ProcessInfo.processInfo.environment["PARLEY_TEST_DATABASE_URL"] ?? "") else {
            throw Missing()
        }
        components.path = "/" + name
        return components.string ?? ""
    }
}
