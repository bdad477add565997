import Foundation
import ParleyCore
import SQLKit

/// A visitor's presence as agents see it: online with the page they are on, or gone.
public struct VisitorPresence: Sendable, Equatable {
    public let orgID: String
    public let visitorID: String
    public let online: Bool
    /// The page the visitor last reported (from their most recently active tab).
    public let page: String?
    /// The visitor's current conversation, whose subscribers are told; nil before the first message.
    public let conversationID: String?
}

/// Visitor presence rows share the `presence` table with agents' (`is_visitor`), so heartbeats,
/// the TTL and the sweeper cover both.
extension ParleyStore {
    /// Records a visitor connection (online, with its page; nil keeps the page it had) or its
    /// departure, and returns what agents should now see: the visitor online with a page and their
    /// current conversation, or offline once no tab is left.
    public func setPresence(_ visitor: VisitorScope, connectionID: String, online: Bool, page: String?,
                            freshAfter: Date) async throws -> VisitorPresence {
        try await engine.transaction { db in
            if online {
                try await db.exec("""
                    INSERT INTO presence (connection_id, org_id, user_id, status, heartbeat_at, is_visitor, page)
                    VALUES (\(bind: connectionID), \(bind: visitor.orgID), \(bind: visitor.visitorID), 'online', \(bind: self.nowMS),
                            \(bind: true), \(bind: page))
                    ON CONFLICT (connection_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, page = COALESCE(excluded.page, presence.page)
                    """)
            } else {
                try await db.exec("DELETE FROM presence WHERE connection_id = \(bind: connectionID)")
            }
            let pages = try await self.freshVisitorPages(db, orgID: visitor.orgID, visitorID: visitor.visitorID, freshAfter: freshAfter)
            return VisitorPresence(orgID: visitor.orgID, visitorID: visitor.visitorID, online: !pages.isEmpty,
                                   page: pages.first ?? nil,
                                   conversationID: try await self.latestConversation(db, orgID: visitor.orgID, visitorID: visitor.visitorID, activeOnly: false))
        }
    }

    /// The pages of the visitor's fresh connections, most recently active first.
    func freshVisitorPages(_ db: any SQLDatabase, orgID: String, visitorID: String, freshAfter: Date) async throws -> [String?] {
        try await db.raw("""
            SELECT page FROM presence WHERE org_id = \(bind: orgID) AND user_id = \(bind: visitorID)
            AND is_visitor = \(bind: true) AND heartbeat_at >= \(bind: Timestamp.milliseconds(freshAfter))
            ORDER BY heartbeat_at DESC
            """).all(decodingColumn: "page", as: String?.self)
    }

    /// Visitors connected right now in the organization, with their current page (for an inbox snapshot).
    public func visitorPresence(_ scope: TenantScope, freshAfter: Date) async throws -> [String: String?] {
        struct Row: Decodable { let userId: String, page: String?, heartbeatAt: Int }
        let rows = try await engine.read { db in
            try await db.raw("""
                SELECT user_id, page, heartbeat_at FROM presence WHERE org_id = \(bind: scope.orgID) AND is_visitor = \(bind: true)
                AND heartbeat_at >= \(bind: Timestamp.milliseconds(freshAfter)) ORDER BY heartbeat_at
                """).all(decoding: Row.self, with: self.rowDecoder)
        }
        var pages: [String: String?] = [:]
        for row in rows { pages[row.userId] = row.page }  // the latest heartbeat wins
        return pages
    }
}
