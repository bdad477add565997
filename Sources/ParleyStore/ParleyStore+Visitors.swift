import Foundation
import ParleyCore
import SQLKit

/// Visitors of the public widget: sessions keyed by an anonymous browser token (stored hashed) and
/// the visitor's current conversation.
extension ParleyStore {
    /// The site behind a public site key, or nil when no site has it (e.g. after a key rotation).
    public func widgetSite(key: String) async throws -> WidgetSite? {
        try await widgetSite(where: "site_key = \(bind: key)")
    }

    /// The site a visitor token names (visitor sockets check their origin against it).
    public func widgetSite(_ visitor: VisitorScope) async throws -> WidgetSite? {
        try await widgetSite(where: "id = \(bind: visitor.siteID) AND org_id = \(bind: visitor.orgID)")
    }

    private func widgetSite(where condition: SQLQueryString) async throws -> WidgetSite? {
        struct Row: Decodable {
            let id: String, orgId: String, name: String, allowedOrigins: String, identitySecret: String, identityRequired: Bool
            let widgetSettings: String?
        }
        let row = try await engine.read { db in
            try await db.raw("""
                SELECT id, org_id, name, allowed_origins, identity_secret, identity_required, widget_settings FROM sites WHERE \(condition)
                """)
                .first(decoding: Row.self, with: self.rowDecoder)
        }
        return row.map { row in
            WidgetSite(id: row.id, orgID: row.orgId,
                       allowedOrigins: (try? JSONDecoder().decode([String].self, from: Data(row.allowedOrigins.utf8))) ?? [],
                       identitySecret: row.identitySecret, identityRequired: row.identityRequired, name: row.name,
                       settings: Self.widgetSettings(stored: row.widgetSettings))
        }
    }

    /// The visitor whose anonymous token hashes to `presentedHash` on this site, or else a new
    /// visitor holding `freshHash`. `isNew` tells the caller which token the browser must keep.
    /// The browser's `hints` are kept in the same statement (a nil hint keeps what was known).
    public func visitorSession(site: WidgetSite, presentedHash: String?, freshHash: String,
                               hints: VisitorHints = VisitorHints()) async throws -> (scope: VisitorScope, isNew: Bool) {
        try await engine.transaction { db in
            let now = self.nowMS
            if let presentedHash,
                let id = try await db.raw("""
                    UPDATE visitors SET last_seen_at = \(bind: now), locale = COALESCE(\(bind: hints.locale), locale),
                        timezone = COALESCE(\(bind: hints.timezone), timezone), user_agent = COALESCE(\(bind: hints.userAgent), user_agent)
                    WHERE site_id = \(bind: site.id) AND anonymous_hash = \(bind: presentedHash) RETURNING id
                    """).first(decodingColumn: "id", as: String.self) {
                return (VisitorScope(orgID: site.orgID, siteID: site.id, visitorID: id), false)
            }
            let id = Identifier.make("vis")
            try await db.exec("""
                INSERT INTO visitors (id, org_id, site_id, anonymous_hash, locale, timezone, user_agent, last_seen_at, created_at)
                VALUES (\(bind: id), \(bind: site.orgID), \(bind: site.id), \(bind: freshHash), \(bind: hints.locale),
                        \(bind: hints.timezone), \(bind: hints.userAgent), \(bind: now), \(bind: now))
                """)
            return (VisitorScope(orgID: site.orgID, siteID: site.id, visitorID: id), true)
        }
    }

    /// The scope of a visitor named by a verified visitor token, if the visitor (and its site) still exist.
    public func visitorScope(orgID: String, siteID: String, visitorID: String) async throws -> VisitorScope? {
        let found = try await engine.read { db in
            try await db.raw("""
                SELECT id FROM visitors WHERE org_id = \(bind: orgID) AND site_id = \(bind: siteID) AND id = \(bind: visitorID)
                """).first(decodingColumn: "id", as: String.self)
        }
        return found.map { VisitorScope(orgID: orgID, siteID: siteID, visitorID: $0) }
    }

    /// The visitor's latest conversation (whatever its status), the one the widget shows.
    public func currentConversationID(_ visitor: VisitorScope) async throws -> String? {
        try await engine.read { db in try await self.latestConversation(db, orgID: visitor.orgID, visitorID: visitor.visitorID, activeOnly: false) }
    }

    /// The visitor's latest conversation; with `activeOnly`, only one still open for new messages.
    func latestConversation(_ db: any SQLDatabase, orgID: String, visitorID: String, activeOnly: Bool) async throws -> String? {
        let active: SQLQueryString = activeOnly ? " AND status NOT IN ('resolved', 'closed')" : ""
        return try await db.raw("""
            SELECT id FROM conversations WHERE org_id = \(bind: orgID) AND visitor_id = \(bind: visitorID)\(active)
            ORDER BY created_at DESC, id DESC LIMIT 1
            """).first(decodingColumn: "id", as: String.self)
    }

    /// The conversation's sequence if it is this visitor's own; not-found for anyone else's.
    public func conversationSeq(_ visitor: VisitorScope, id: String) async throws -> Int {
        let seq = try await engine.read { db in
            try await db.raw("""
                SELECT seq FROM conversations WHERE org_id = \(bind: visitor.orgID) AND id = \(bind: id)
                AND visitor_id = \(bind: visitor.visitorID)
                """).first(decodingColumn: "seq", as: Int.self)
        }
        guard let seq else { throw StoreError.notFound("conversation") }
        return seq
    }

    /// The read markers on the visitor's own conversation (theirs and the agents').
    public func readMarkers(_ visitor: VisitorScope, conversationID: String) async throws -> [String: Int] {
        _ = try await conversationSeq(visitor, id: conversationID)
        return try await engine.read { db in try await self.readMarkers(db, orgID: visitor.orgID, conversationID: conversationID) }
    }

    /// Events of the visitor's own conversation after `seq`, private notes left out.
    public func events(_ visitor: VisitorScope, conversationID: String, afterSeq: Int, limit: Int = 500) async throws -> [StoredEvent] {
        _ = try await conversationSeq(visitor, id: conversationID)
        return try await engine.read { db in
            try await db.raw("""
                SELECT \(Self.eventColumns) FROM events
                WHERE org_id = \(bind: visitor.orgID) AND conversation_id = \(bind: conversationID) AND seq > \(bind: afterSeq)
                AND members_only = \(bind: false) ORDER BY seq LIMIT \(bind: limit)
                """).all().map(StoredEvent.init(row:))
        }
    }
}
