import Foundation
import ParleyCore
import SQLKit

/// The label catalog: names and colours agents pick from. Every member reads it; owners and admins
/// write it.
extension ParleyStore {
    private struct LabelRow: Decodable {
        let id: String, name: String, color: String, createdAt: Int

        var label: LabelDefinition { LabelDefinition(id: id, name: name, color: color, createdAt: Timestamp.date(createdAt)) }
    }

    /// All of them, by name.
    public func labels(_ scope: TenantScope) async throws -> [LabelDefinition] {
        try await engine.read { db in
            try await db.raw("""
                SELECT id, name, color, created_at FROM labels WHERE org_id = \(bind: scope.orgID)
                ORDER BY name LIMIT \(literal: LabelDefinition.perOrganization)
                """).all(decoding: LabelRow.self, with: self.rowDecoder).map(\.label)
        }
    }

    public func createLabel(_ scope: TenantScope, name: String, color: String) async throws -> LabelDefinition {
        try scope.requireManager()
        let label = LabelDefinition(id: Identifier.make("lbl"), name: name, color: color, createdAt: Timestamp.date(nowMS))
        try await engine.transaction { db in
            try await self.requireRoom(db, table: "labels", scope: scope, limit: LabelDefinition.perOrganization)
            try await self.uniquelyNamed("name", name) {
                try await db.exec("""
                    INSERT INTO labels (id, org_id, name, color, created_at)
                    VALUES (\(bind: label.id), \(bind: scope.orgID), \(bind: name), \(bind: color), \(bind: Timestamp.milliseconds(label.createdAt)))
                    """)
            }
        }
        return label
    }

    /// Changes the given fields (nil keeps one). Renaming does not relabel conversations.
    public func updateLabel(_ scope: TenantScope, id: String, name: String?, color: String?) async throws -> LabelDefinition {
        try scope.requireManager()
        return try await engine.transaction { db in
            let row = try await self.uniquelyNamed("name", name ?? "") {
                try await db.raw("""
                    UPDATE labels SET name = COALESCE(\(bind: name), name), color = COALESCE(\(bind: color), color)
                    WHERE org_id = \(bind: scope.orgID) AND id = \(bind: id) RETURNING id, name, color, created_at
                    """).first(decoding: LabelRow.self, with: self.rowDecoder)
            }
            guard let row else { throw StoreError.notFound("label") }
            return row.label
        }
    }

    public func deleteLabel(_ scope: TenantScope, id: String) async throws {
        try scope.requireManager()
        try await deleteTenantRow(table: "labels", scope: scope, id: id, what: "label")
    }
}
