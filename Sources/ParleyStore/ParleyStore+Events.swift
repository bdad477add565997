import Foundation
import Logging
import ParleyCore
import PostgresNIO
import SQLKit

/// The transactional outbox: every change others must see is written here in the same transaction
/// as the change itself, and fanned out after commit by the realtime layer.
public struct StoredEvent: Codable, Sendable, Equatable {
    public let id: Int
    public let orgId: String
    public let conversationId: String?
    public let seq: Int?
    /// Position in the organization's feed, in commit order: the inbox resume cursor.
    public let orgSeq: Int
    public let type: String
    public let payload: String
    /// Private-note events: never delivered to visitors.
    public let membersOnly: Bool
    public let createdAt: Int
}

extension StoredEvent {
    /// Decoded column by column: the fan-out reads every event, and this skips the generic row
    /// decoder's key conversion.
    init(row: any SQLRow) throws {
        self.init(id: try row.decode(column: "id", as: Int.self), orgId: try row.decode(column: "org_id", as: String.self),
                  conversationId: try row.decode(column: "conversation_id", as: String?.self),
                  seq: try row.decode(column: "seq", as: Int?.self), orgSeq: try row.decode(column: "org_seq", as: Int.self),
                  type: try row.decode(column: "type", as: String.self), payload: try row.decode(column: "payload", as: String.self),
                  membersOnly: try row.decode(column: "members_only", as: Bool.self),
                  createdAt: try row.decode(column: "created_at", as: Int.self))
    }
}

public enum EventType {
    public static let messageCreated = "message.created"
    public static let messageUpdated = "message.updated"
    public static let messageDeleted = "message.deleted"
    public static let conversationCreated = "conversation.created"
    public static let conversationUpdated = "conversation.updated"
    public static let conversationRead = "conversation.read"
    public static let conversationRated = "conversation.rated"
    /// A member left or was removed: every instance closes their open sockets (4001).
    public static let memberRemoved = "member.removed"
    /// A site was deleted with its visitors: every instance closes their open sockets (4001).
    public static let siteDeleted = "site.deleted"
}

/// The PostgreSQL channel on which committed event ids are announced (the payload is ids only:
/// one, or a comma-separated list from a group-committed batch).
public let eventNotificationChannel = "parley_events"

extension ParleyStore {
    static let eventColumns: SQLQueryString = "id, org_id, conversation_id, seq, org_seq, type, payload, members_only, created_at"

    /// Appends an event in one statement. It takes the organization's next cursor (`org_seq`); the
    /// organization row then stays locked until commit, so cursors follow commit order.
    func appendEvent(_ db: any SQLDatabase, orgID: String, conversationID: String?, seq: Int?, type: String,
                     payload: some Encodable, membersOnly: Bool = false) async throws {
        try await appendEvent(db, orgID: orgID, conversationID: conversationID, seq: seq, type: type,
                              payloadJSON: try Self.encodeJSON(payload), membersOnly: membersOnly)
    }

    /// The same with the payload already encoded.
    func appendEvent(_ db: any SQLDatabase, orgID: String, conversationID: String?, seq: Int?, type: String,
                     payloadJSON payload: String, membersOnly: Bool) async throws {
        switch dialect {
        case .sqlite:
            // The `events_org_seq` trigger numbers the row; SQLite's single writer already commits in order.
            try await db.exec("""
                INSERT INTO events (org_id, conversation_id, seq, type, payload, members_only, created_at)
                VALUES (\(bind: orgID), \(bind: conversationID), \(bind: seq), \(bind: type), \(bind: payload),
                        \(bind: membersOnly), \(bind: nowMS))
                """)
        case .postgres:
            // The NOTIFY is delivered only when (and if) the transaction commits, in commit order: every
            // instance learns of the event exactly when it becomes visible.
            try await db.exec("""
                WITH org AS (UPDATE organizations SET event_seq = event_seq + 1 WHERE id = \(bind: orgID) RETURNING event_seq),
                event AS (
                    INSERT INTO events (org_id, conversation_id, seq, org_seq, type, payload, members_only, created_at)
                    SELECT \(bind: orgID), \(bind: conversationID), \(bind: seq), org.event_seq, \(bind: type), \(bind: payload),
                           \(bind: membersOnly), \(bind: nowMS) FROM org
                    RETURNING id)
                SELECT pg_notify(\(bind: eventNotificationChannel), id::text) FROM event
                """)
        }
    }

    /// Events of one conversation after `seq`, in order (the resume gap of the realtime protocol).
    public func events(_ scope: TenantScope, conversationID: String, afterSeq: Int, limit: Int = 500) async throws -> [StoredEvent] {
        try await engine.read { db in
            try await db.raw("""
                SELECT \(Self.eventColumns) FROM events
                WHERE org_id = \(bind: scope.orgID) AND conversation_id = \(bind: conversationID) AND seq > \(bind: afterSeq)
                ORDER BY seq LIMIT \(bind: limit)
                """).all().map(StoredEvent.init(row:))
        }
    }

    /// The organization's events after `cursor` (an `org_seq`), in commit order: the gap an agent's
    /// inbox feed missed while disconnected. Members see private-note events too.
    public func inboxEvents(_ scope: TenantScope, afterCursor cursor: Int, limit: Int = 500) async throws -> [StoredEvent] {
        try await engine.read { db in
            try await db.raw("""
                SELECT \(Self.eventColumns) FROM events WHERE org_id = \(bind: scope.orgID) AND org_seq > \(bind: cursor)
                ORDER BY org_seq LIMIT \(bind: limit)
                """).all().map(StoredEvent.init(row:))
        }
    }

    /// The organization's newest cursor: where an inbox feed that starts now begins.
    public func inboxCursor(_ scope: TenantScope) async throws -> Int {
        try await engine.read { db in
            try await db.raw("SELECT event_seq FROM organizations WHERE id = \(bind: scope.orgID)")
                .first(decodingColumn: "event_seq", as: Int.self)
        } ?? 0
    }
}

/// Reading committed events for fan-out. These are system reads across organizations: each event
/// carries its `orgId`, and the realtime hub delivers it only to that organization's sockets.
extension ParleyStore {
    /// Events by id (the ids a PostgreSQL notification announced), in each organization's commit
    /// order, read on the event feed's own connection (readied by `readyEventReader`).
    public static func events(ids: [Int], on connection: PostgresConnection, logger: Logger) async throws -> [StoredEvent] {
        guard !ids.isEmpty else { return [] }
        var events: [StoredEvent] = []
        for try await event in try await connection.execute(EventsByIDStatement(ids: ids), logger: logger) { events.append(event) }
        return events
    }

    /// Readies the connection that reads announced events. Its one statement differs only in how
    /// many ids it asks for, yet PostgreSQL would plan it afresh for every batch (each custom plan
    /// looks cheaper than the generic one), so the connection keeps the generic plan. That plan is
    /// made once, when the table may still be empty and a scan of it looks cheapest; with scans
    /// ruled out it is the primary-key lookup that every later size of the table wants.
    public static func readyEventReader(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SET plan_cache_mode = force_generic_plan", logger: logger)
        try await connection.query("SET enable_seqscan = off", logger: logger)
    }

    /// Events after `id`, in id order (SQLite: ids are assigned in commit order by its single writer).
    public func events(afterID id: Int, limit: Int) async throws -> [StoredEvent] {
        try await engine.read { db in
            try await db.raw("SELECT \(Self.eventColumns) FROM events WHERE id > \(bind: id) ORDER BY id LIMIT \(literal: limit)")
                .all().map(StoredEvent.init(row:))
        }
    }

    /// The newest event id, where a feed starting now begins.
    public func latestEventID() async throws -> Int {
        try await engine.read { db in
            try await db.raw("SELECT MAX(id) AS id FROM events").first(decodingColumn: "id", as: Int?.self) ?? nil
        } ?? 0
    }
}
