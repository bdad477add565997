import Foundation
import ParleyCore
import SQLKit

/// Sites (websites / inboxes): public site key, identity secret, allowed origins.
extension ParleyStore {
    struct SiteRow: Decodable {
        let id: String, name: String, siteKey: String, identitySecret: String, allowedOrigins: String, identityRequired: Bool
        let widgetSettings: String?
        let createdAt: Int, updatedAt: Int

        func site(revealSecret: Bool) -> Site {
            let origins = (try? JSONDecoder().decode([String].self, from: Data(allowedOrigins.utf8))) ?? []
            return Site(id: id, name: name, siteKey: siteKey, identitySecret: revealSecret ? identitySecret : nil,
                        allowedOrigins: origins, identityRequired: identityRequired,
                        widget: ParleyStore.widgetSettings(stored: widgetSettings), createdAt: Timestamp.date(createdAt),
                        updatedAt: Timestamp.date(updatedAt))
        }
    }

    static let siteColumns: SQLQueryString = "id, name, site_key, identity_secret, allowed_origins, identity_required, widget_settings, created_at, updated_at"

    public struct SiteChanges: Sendable {
        public var name: String?
        public var allowedOrigins: [String]?
        public var identityRequired: Bool?
        public var widget: WidgetSettings?
        public init(name: String? = nil, allowedOrigins: [String]? = nil, identityRequired: Bool? = nil, widget: WidgetSettings? = nil) {
            self.name = name
            self.allowedOrigins = allowedOrigins
            self.identityRequired = identityRequired
            self.widget = widget
        }
    }

    public func sites(_ scope: TenantScope) async throws -> [Site] {
        try await engine.read { db in
            try await db.raw("SELECT \(Self.siteColumns) FROM sites WHERE org_id = \(bind: scope.orgID) ORDER BY created_at, id")
                .all(decoding: SiteRow.self, with: self.rowDecoder)
        }.map { $0.site(revealSecret: scope.role.canManageOrganization) }
    }

    public func site(_ scope: TenantScope, id: String) async throws -> Site {
        let row = try await engine.read { db in
            try await db.raw("SELECT \(Self.siteColumns) FROM sites WHERE org_id = \(bind: scope.orgID) AND id = \(bind: id)")
                .first(decoding: SiteRow.self, with: self.rowDecoder)
        }
        guard let row else { throw StoreError.notFound("site") }
        return row.site(revealSecret: scope.role.canManageOrganization)
    }

    public func createSite(_ scope: TenantScope, name: String, allowedOrigins: [String]) async throws -> Site {
        try scope.requireManager()
        let id = Identifier.make("ste")
        let now = nowMS
        try await engine.transaction { db in
            try await db.exec("""
                INSERT INTO sites (id, org_id, name, site_key, identity_secret, allowed_origins, created_at, updated_at)
                VALUES (\(bind: id), \(bind: scope.orgID), \(bind: name), \(bind: Self.newSiteKey()), \(bind: RandomToken.make()),
                        \(bind: try Self.encodeJSON(allowedOrigins)), \(bind: now), \(bind: now))
                """)
        }
        return try await site(scope, id: id)
    }

    public func updateSite(_ scope: TenantScope, id: String, changes: SiteChanges) async throws -> Site {
        try scope.requireManager()
        try await engine.transaction { db in
            var sets: [SQLQueryString] = ["updated_at = \(bind: self.nowMS)"]
            if let name = changes.name { sets.append("name = \(bind: name)") }
            if let origins = changes.allowedOrigins { sets.append("allowed_origins = \(bind: try Self.encodeJSON(origins))") }
            if let required = changes.identityRequired { sets.append("identity_required = \(bind: required)") }
            if let widget = changes.widget { sets.append("widget_settings = \(bind: try Self.encodeJSON(widget))") }
            let rows = try await db.raw("""
                UPDATE sites SET \(sets.joined(separator: ", ")) WHERE org_id = \(bind: scope.orgID) AND id = \(bind: id) RETURNING id
                """).all()
            guard !rows.isEmpty else { throw StoreError.notFound("site") }
        }
        return try await site(scope, id: id)
    }

    /// Deletes the site with its visitors and conversations; the `site.deleted` event tells every
    /// instance to close those visitors' sockets.
    public func deleteSite(_ scope: TenantScope, id: String) async throws {
        try scope.requireManager()
        try await engine.transaction { db in
            try await self.deleteTenantRow(db, table: "sites", scope: scope, id: id, what: "site")
            struct Deletion: Encodable { let siteId: String }
            try await self.appendEvent(db, orgID: scope.orgID, conversationID: nil, seq: nil, type: EventType.siteDeleted,
                                       payload: Deletion(siteId: id), membersOnly: true)
        }
    }

    /// Replaces the public site key and the identity secret; embeds using the old key stop working.
    public func rotateSiteKeys(_ scope: TenantScope, id: String) async throws -> Site {
        try scope.requireManager()
        try await engine.transaction { db in
            let rows = try await db.raw("""
                UPDATE sites SET site_key = \(bind: Self.newSiteKey()), identity_secret = \(bind: RandomToken.make()),
                updated_at = \(bind: self.nowMS) WHERE org_id = \(bind: scope.orgID) AND id = \(bind: id) RETURNING id
                """).all()
            guard !rows.isEmpty else { throw StoreError.notFound("site") }
        }
        return try await site(scope, id: id)
    }

    /// Stored settings, or the defaults for a site that never changed them.
    static func widgetSettings(stored: String?) -> WidgetSettings {
        stored.flatMap { try? JSONCoding.makeDecoder().decode(WidgetSettings.self, from: Data($0.utf8)) } ?? .defaults
    }

    static func newSiteKey() -> String { "pk_" + RandomToken.make(length: 24) }
}
