import Foundation
import ParleyCore
import ParleyServer
import ParleyStore
import Testing

@Suite("Operations")
struct OperationsTests {
    @Test("health, readiness with schema version, and metrics with request counters", arguments: Backend.allCases)
    func probes(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            #expect(try await api.request(.get, "/health").status == .ok)
            let ready = try await api.request(.get, "/ready")
            #expect(ready.status == .ok)
            struct Readiness: Decodable { let status: String, database: String, schemaVersion: Int, pendingMigrations: Int }
            let readiness = try api.decode(Readiness.self, ready)
            #expect(readiness.database == backend.rawValue)
            #expect(readiness.pendingMigrations == 0)
            #expect(readiness.schemaVersion > 0)

            _ = try await api.request(.get, "/api/v1/me")
            let metrics = String(buffer: try await api.request(.get, "/metrics").body)
            #expect(metrics.contains(#"parley_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1"#))
            #expect(metrics.contains("parley_http_request_duration_seconds_bucket"))
            #expect(metrics.contains("parley_db_connections_in_use_count"))
        }
    }

    @Test("readiness fails while migrations are pending", arguments: Backend.allCases)
    func notReadyWhenBehind(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            try #require(try await api.runtime.migrator.revertLast() != nil)
            #expect(try await api.request(.get, "/ready").status == .serviceUnavailable)
            try await api.runtime.migrator.migrate()
            #expect(try await api.request(.get, "/ready").status == .ok)
        }
    }

    @Test("every migration reverts and re-applies cleanly", arguments: Backend.allCases)
    func migrationsReversible(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let migrator = api.runtime.migrator
            while try await migrator.revertLast() != nil {}
            #expect(try await migrator.appliedVersions().isEmpty)
            try await migrator.migrate()
            #expect(try await migrator.appliedVersions() == Migrator.allVersions)
            _ = try await api.signUp()
        }
    }

    @Test("errors are problem+json with a request id, and unknown routes are 404 problems")
    func problemShape() async throws {
        try await withParley(.sqlite) { api in
            let missing = try await api.request(.get, "/api/v1/nope", headers: [.init("X-Request-Id")!: "trace-123"])
            #expect(missing.status == .notFound)
            #expect(missing.headers[.init("X-Request-Id")!] == "trace-123")
            struct Body: Decodable { let type: String, status: Int, requestId: String? }
            let body = try api.decode(Body.self, missing)
            #expect(body.status == 404)
            #expect(body.requestId == "trace-123")
        }
    }

    @Test("the OpenAPI document is served and lists the API's paths")
    func openAPI() async throws {
        try await withParley(.sqlite) { api in
            let response = try await api.request(.get, "/openapi.json")
            #expect(response.status == .ok)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            #expect((document["openapi"] as? String)?.hasPrefix("3.1") == true)
            let paths = try #require(document["paths"] as? [String: Any])
            for path in ["/api/v1/auth/login", "/api/v1/orgs/{org}/conversations", "/api/v1/orgs/{org}/conversations/{conversation}/messages",
                         "/api/v1/orgs/{org}/search", "/ready"] {
                #expect(paths[path] != nil, "\(path)")
            }
        }
    }
}

@Suite("Configuration")
struct ConfigurationTests {
    @Test("production refuses to start without its secrets and names each one")
    func productionNeedsSecrets() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(environment: ["PARLEY_ENV": "production", "PARLEY_BCRYPT_COST": "4"])
        }
        let text = error?.description ?? ""
        #expect(text.contains("PARLEY_JWT_SECRET"))
        #expect(text.contains("PARLEY_BCRYPT_COST"))
    }

    @Test("bad values are named; good ones are read")
    func parsing() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(environment: ["PARLEY_PORT": "eighty", "PARLEY_ENV": "staging", "PARLEY_JWT_SECRET": "short"])
        }
        #expect(error?.problems.count == 3)
        let config = try ConfigurationLoader.load(environment: [
            "PARLEY_ENV": "production", "PARLEY_JWT_SECRET": String(repeating: "s", count: 40), "PARLEY_PORT": "9000",
            "DATABASE_URL": "postgres://u:p@db:5432/parley",
        ])
        #expect(config.port == 9000)
        #expect(config.databaseURL == "postgres://u:p@db:5432/parley")
    }

    @Test("development generates a secret once and reuses it", arguments: [Backend.sqlite])
    func developmentSecret(_ backend: Backend) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parley-cfg-\(RandomToken.make(length: 8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var config = ParleyConfiguration()
        config.dataDirectory = directory
        config.bcryptCost = 4
        let first = try await ParleyRuntime.open(config: config, logger: .init(label: "t"))
        let secret = first.services.config.jwtSecret
        await first.shutdown()
        let second = try await ParleyRuntime.open(config: config, logger: .init(label: "t"))
        #expect(second.services.config.jwtSecret == secret)
        #expect(secret.count >= 32)
        await second.shutdown()
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/secrets.json")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}

@Suite("SQLite single-server lock")
struct DataDirectoryLockTests {
    @Test("a second server on the same data directory is refused with a message naming it, until the first stops")
    func secondServerRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parley-lock-\(RandomToken.make(length: 8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try DataDirectoryLock.acquire(directory: directory)
        let refusal = #expect(throws: DataDirectoryLock.Held.self) { try DataDirectoryLock.acquire(directory: directory) }
        #expect(refusal?.description.contains(directory) == true)
        first.release()
        let again = try DataDirectoryLock.acquire(directory: directory)
        again.release()
    }
}

@Suite("Logging")
struct LoggingTests {
    @Test("every request is logged once with route, status, request id, user and organization, never the raw path")
    func accessLog() async throws {
        let capture = LogCapture()
        try await withParley(.sqlite, logger: capture.logger()) { api in
            let owner = try await api.signUp()
            _ = try await api.request(.get, "/api/v1/orgs/\(owner.orgID)/conversations?limit=5", token: owner.accessToken,
                                      headers: [.init("X-Request-Id")!: "log-check-1"])
            let line = try #require(capture.all.first { $0.message == "request" && $0.metadata["request_id"] == "log-check-1" })
            #expect(line.metadata["route"] == "/api/v1/orgs/{org}/conversations")
            #expect(line.metadata["status"] == "200")
            #expect(line.metadata["user_id"] == owner.userID)
            #expect(line.metadata["org_id"] == owner.orgID)
            #expect(line.metadata["method"] == "GET")
            #expect(!capture.all.contains { $0.metadata.values.contains { $0.contains(owner.accessToken) } })
            #expect(capture.all.filter { $0.metadata["request_id"] == "log-check-1" && $0.message == "request" }.count == 1)
        }
    }
}
