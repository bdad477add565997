import Foundation
import ParleyCore
import SQLKit

/// Canned responses: the organization's saved replies. Every member reads them; owners and admins
/// write them.
extension ParleyStore {
    private struct CannedRow: Decodable {
        let id: String, shortcut: String, body: String, createdAt: Int, updatedAt: Int

        var response: CannedResponse {
            CannedResponse(id: id, shortcut: shortcut, body: body, createdAt: Timestamp.date(createdAt), updatedAt: Timestamp.date(updatedAt))
        }
    }

    /// All of them, by shortcut.
    public func cannedResponses(_ scope: TenantScope) async throws -> [CannedResponse] {
        try await engine.read { db in
            try await db.raw("""
                SELECT id, shortcut, body, created_at, updated_at FROM canned_responses WHERE org_id = \(bind: scope.orgID)
                ORDER BY shortcut LIMIT \(literal: CannedResponse.perOrganization)
                """).all(decoding: CannedRow.self, with: self.rowDecoder).map(\.response)
        }
    }

    public func createCannedResponse(_ scope: TenantScope, shortcut: String, body: String) async throws -> CannedResponse {
        try scope.requireManager()
        let now = nowMS
        let response = CannedResponse(id: Identifier.make("crs"), shortcut: shortcut, body: body, createdAt: Timestamp.date(now),
                                      updatedAt: Timestamp.date(now))
        try await engine.transaction { db in
            try await self.requireRoom(db, table: "canned_responses", scope: scope, limit: CannedResponse.perOrganization)
            try await self.uniquelyNamed("shortcut", shortcut) {
                try await db.exec("""
                    INSERT INTO canned_responses (id, org_id, shortcut, body, created_at, updated_at)
                    VALUES (\(bind: response.id), \(bind: scope.orgID), \(bind: shortcut), \(bind: body), \(bind: now), \(bind: now))
                    """)
            }
        }
        return response
    }

    /// Changes the given fields (nil keeps one).
    public func updateCannedResponse(_ scope: TenantScope, id: String, shortcut: String?, body: String?) async throws -> CannedResponse {
        try scope.requireManager()
        return try await engine.transaction { db in
            let row = try await self.uniquelyNamed("shortcut", shortcut ?? "") {
                try await db.raw("""
                    UPDATE canned_responses SET shortcut = COALESCE(\(bind: shortcut), shortcut), body = COALESCE(\(bind: body), body),
                        updated_at = \(bind: self.nowMS)
                    WHERE org_id = \(bind: scope.orgID) AND id = \(bind: id)
                    RETURNING id, shortcut, body, created_at, updated_at
                    """).first(decoding: CannedRow.self, with: self.rowDecoder)
            }
            guard let row else { throw StoreError.notFound("canned response") }
            return row.response
        }
    }

    public func deleteCannedResponse(_ scope: TenantScope, id: String) async throws {
        try scope.requireManager()
        try await deleteTenantRow(table: "canned_responses", scope: scope, id: id, what: "canned response")
    }
}
