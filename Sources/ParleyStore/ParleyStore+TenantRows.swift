import ParleyCore
import SQLKit

/// Row helpers shared by the organization's own lists (sites, leads, canned responses, labels).
extension ParleyStore {
    /// Deletes the organization's row `id` from `table`; not-found (naming `what`) when the
    /// organization has no such row.
    func deleteTenantRow(table: String, scope: TenantScope, id: String, what: String) async throws {
        try await engine.transaction { db in try await self.deleteTenantRow(db, table: table, scope: scope, id: id, what: what) }
    }

    func deleteTenantRow(_ db: any SQLDatabase, table: String, scope: TenantScope, id: String, what: String) async throws {
        let rows = try await db.raw("DELETE FROM \(ident: table) WHERE org_id = \(bind: scope.orgID) AND id = \(bind: id) RETURNING id").all()
        guard !rows.isEmpty else { throw StoreError.notFound(what) }
    }

    /// Runs `body`, turning a unique violation into a 409 that names the taken value.
    func uniquelyNamed<R>(_ field: String, _ value: String, _ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch where isUniqueViolation(error) {
            throw StoreError.conflict("the \(field) '\(value)' is taken")
        }
    }

    /// Refuses a new row once the organization holds `limit` of them.
    func requireRoom(_ db: any SQLDatabase, table: String, scope: TenantScope, limit: Int) async throws {
        let count = try await db.raw("SELECT COUNT(*) AS n FROM \(ident: table) WHERE org_id = \(bind: scope.orgID)")
            .first(decodingColumn: "n", as: Int.self) ?? 0
        guard count < limit else { throw StoreError.conflict("an organization can have at most \(limit) of these") }
    }
}
