import Foundation
import Logging
import SQLKit

/// Applies and reverts the numbered migrations, recording each in `schema_migrations`.
public struct Migrator: Sendable {
    let engine: any DatabaseEngine
    let logger: Logger

    public init(engine: any DatabaseEngine, logger: Logger) {
        self.engine = engine
        self.logger = logger
    }

    public static var allVersions: [Int] { Migrations.all.map(\.version) }

    /// Versions already applied, ascending (read-only: a database never migrated has none).
    public func appliedVersions() async throws -> [Int] {
        let dialect = engine.dialect
        let exists = try await engine.read { db in
            let probe: SQLQueryString = dialect == .sqlite
                ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
                : "SELECT table_name AS name FROM information_schema.tables WHERE table_name = 'schema_migrations' AND table_schema = current_schema()"
            return try await db.raw(probe).first() != nil
        }
        guard exists else { return [] }
        return try await engine.read { db in
            try await db.raw("SELECT version FROM schema_migrations ORDER BY version").all(decodingColumn: "version", as: Int.self)
        }
    }

    /// Applies every pending migration, each in its own transaction. Returns the versions applied.
    @discardableResult
    public func migrate() async throws -> [Int] {
        let dialect = engine.dialect
        try await engine.transaction { db in
            if dialect == .postgres { try await db.exec("SELECT pg_advisory_xact_lock(727501)") }
            try await db.exec(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
            )
        }
        let applied = Set(try await appliedVersions())
        var done: [Int] = []
        for migration in Migrations.all where !applied.contains(migration.version) {
            let didApply = try await engine.transaction { db in
                // Instances starting together on PostgreSQL: one migrates, the others wait and then skip.
                if dialect == .postgres { try await db.exec("SELECT pg_advisory_xact_lock(727501)") }
                let done = try await db.raw("SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)").first()
                guard done == nil else { return false }
                for statement in migration.up(dialect) {
                    try await db.exec(SQLQueryString(SchemaSQL.expand(statement, for: dialect)))
                }
                try await db.exec(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Timestamp.now()))"
                )
                return true
            }
            guard didApply else { continue }
            logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            done.append(migration.version)
        }
        return done
    }

    /// Reverts the most recently applied migration; returns its version, or nil when none is applied.
    @discardableResult
    public func revertLast() async throws -> Int? {
        guard let version = try await appliedVersions().last,
            let migration = Migrations.all.first(where: { $0.version == version })
        else { return nil }
        let dialect = engine.dialect
        try await engine.transaction { db in
            for statement in migration.down(dialect) {
                try await db.exec(SQLQueryString(statement))
            }
            try await db.exec("DELETE FROM schema_migrations WHERE version = \(bind: version)")
        }
        logger.notice("reverted migration", metadata: ["version": "\(version)", "name": "\(migration.name)"])
        return version
    }
}
