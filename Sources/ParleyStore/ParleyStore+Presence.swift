import Foundation
import ParleyCore
import SQLKit

/// An agent's availability as others see it.
public enum PresenceStatus: String, Codable, Sendable, CaseIterable {
    case online, away, offline
}

/// Presence rows: written by the instance holding the socket, read by everyone.
extension ParleyStore {
    /// A user's status changed from `before` to `after` (only reported when they differ).
    public struct PresenceChange: Sendable, Equatable {
        public let orgID: String
        public let userID: String
        public let status: PresenceStatus
    }

    /// Records or updates one connection's status; returns the user's new status if it changed.
    public func setPresence(_ scope: TenantScope, connectionID: String, status: PresenceStatus, freshAfter: Date) async throws -> PresenceChange? {
        guard let userID = scope.userID else { return nil }
        return try await engine.transaction { db in
            let before = try await self.aggregatePresence(db, orgID: scope.orgID, userID: userID, freshAfter: freshAfter)
            if status == .offline {
                try await db.exec("DELETE FROM presence WHERE connection_id = \(bind: connectionID)")
            } else {
                try await db.exec("""
                    INSERT INTO presence (connection_id, org_id, user_id, status, heartbeat_at)
                    VALUES (\(bind: connectionID), \(bind: scope.orgID), \(bind: userID), \(bind: status.rawValue), \(bind: self.nowMS))
                    ON CONFLICT (connection_id) DO UPDATE SET status = excluded.status, heartbeat_at = excluded.heartbeat_at
                    """)
            }
            let after = try await self.aggregatePresence(db, orgID: scope.orgID, userID: userID, freshAfter: freshAfter)
            return before == after ? nil : PresenceChange(orgID: scope.orgID, userID: userID, status: after)
        }
    }

    /// Refreshes the heartbeat of this instance's connections.
    public func heartbeatPresence(connectionIDs: [String]) async throws {
        guard !connectionIDs.isEmpty else { return }
        try await engine.transaction { db in
            try await db.exec("UPDATE presence SET heartbeat_at = \(bind: self.nowMS) WHERE connection_id IN (\(binds: connectionIDs))")
        }
    }

    /// Deletes rows whose heartbeat stopped before `staleBefore` (their instance died) and reports
    /// the members and visitors who are now offline. Concurrent sweepers each get disjoint rows.
    public func sweepPresence(staleBefore: Date) async throws -> (members: [PresenceChange], visitors: [VisitorPresence]) {
        struct Row: Decodable, Hashable { let orgId: String, userId: String, isVisitor: Bool }
        return try await engine.transaction { db in
            let removed = try await db.raw("""
                DELETE FROM presence WHERE heartbeat_at < \(bind: Timestamp.milliseconds(staleBefore))
                RETURNING org_id, user_id, is_visitor
                """).all(decoding: Row.self, with: self.rowDecoder)
            var members: [PresenceChange] = []
            var visitors: [VisitorPresence] = []
            for row in Set(removed) {
                if row.isVisitor {
                    if try await self.freshVisitorPages(db, orgID: row.orgId, visitorID: row.userId, freshAfter: staleBefore).isEmpty {
                        visitors.append(VisitorPresence(orgID: row.orgId, visitorID: row.userId, online: false, page: nil,
                                                        conversationID: try await self.latestConversation(db, orgID: row.orgId, visitorID: row.userId, activeOnly: false)))
                    }
                } else if try await self.aggregatePresence(db, orgID: row.orgId, userID: row.userId, freshAfter: staleBefore) == .offline {
                    members.append(PresenceChange(orgID: row.orgId, userID: row.userId, status: .offline))
                }
            }
            return (members, visitors)
        }
    }

    /// Every member with a fresh connection and their status (absent means offline).
    public func presence(_ scope: TenantScope, freshAfter: Date) async throws -> [String: PresenceStatus] {
        struct Row: Decodable { let userId: String, status: String }
        let rows = try await engine.read { db in
            try await db.raw("""
                SELECT user_id, status FROM presence WHERE org_id = \(bind: scope.orgID) AND is_visitor = \(bind: false)
                AND heartbeat_at >= \(bind: Timestamp.milliseconds(freshAfter))
                """).all(decoding: Row.self, with: self.rowDecoder)
        }
        var result: [String: PresenceStatus] = [:]
        for row in rows {
            let status = PresenceStatus(rawValue: row.status) ?? .online
            if result[row.userId] != .online { result[row.userId] = status }
        }
        return result
    }

    /// Whether any member of the site's organization is online (not away) right now: the widget
    /// offers the offline form when nobody is.
    public func agentsOnline(orgID: String, freshAfter: Date) async throws -> Bool {
        try await engine.read { db in
            try await db.raw("""
                SELECT 1 AS one FROM presence WHERE org_id = \(bind: orgID) AND is_visitor = \(bind: false)
                AND status = \(bind: PresenceStatus.online.rawValue) AND heartbeat_at >= \(bind: Timestamp.milliseconds(freshAfter)) LIMIT 1
                """).first()
        } != nil
    }

    /// Online if any fresh connection is online, else away if any is away: each an index probe
    /// (`presence_user_status`), however many connections the agent has.
    private func aggregatePresence(_ db: any SQLDatabase, orgID: String, userID: String, freshAfter: Date) async throws -> PresenceStatus {
        let fresh = Timestamp.milliseconds(freshAfter)
        func any(_ status: PresenceStatus) -> SQLQueryString {
            """
            EXISTS (SELECT 1 FROM presence WHERE org_id = \(bind: orgID) AND user_id = \(bind: userID) AND status = \(bind: status.rawValue)
                    AND heartbeat_at >= \(bind: fresh) AND is_visitor = \(bind: false))
            """
        }
        let row = try await db.raw("SELECT \(any(.online)) AS online, \(any(.away)) AS away").first()
        if try row?.decode(column: "online", as: Bool.self) == true { return .online }
        return try row?.decode(column: "away", as: Bool.self) == true ? .away : .offline
    }
}
