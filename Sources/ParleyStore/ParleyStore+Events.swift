import Foundation
import ParleyCore
import SQLKit

/// The transactional outbox: every change others must see is written here in the same transaction
/// as the change itself, and fanned out after commit by the realtime layer.
public struct StoredEvent: Codable, Sendable, Equatable {
    public let id: Int
    public let conversationId: String?
    public let seq: Int?
    public let type: String
    public let payload: String
    /// Private-note events: never delivered to visitors.
    public let membersOnly: Bool
    public let createdAt: Int
}

public enum EventType {
    public static let messageCreated = "message.created"
    public static let messageUpdated = "message.updated"
    public static let messageDeleted = "message.deleted"
    public static let conversationCreated = "conversation.created"
    public static let conversationUpdated = "conversation.updated"
    public static let conversationRead = "conversation.read"
}

extension ParleyStore {
    func appendEvent(_ db: any SQLDatabase, orgID: String, conversationID: String?, seq: Int?, type: String,
                     payload: some Encodable, membersOnly: Bool = false) async throws {
        try await db.exec("""
            INSERT INTO events (org_id, conversation_id, seq, type, payload, members_only, created_at)
            VALUES (\(bind: orgID), \(bind: conversationID), \(bind: seq), \(bind: type), \(bind: Self.encodeJSON(payload)),
                    \(bind: membersOnly), \(bind: nowMS))
            """)
    }

    /// Events of one conversation after `seq`, in order (the resume gap of the realtime protocol).
    public func events(_ scope: TenantScope, conversationID: String, afterSeq: Int, limit: Int = 500) async throws -> [StoredEvent] {
        try await engine.read { db in
            try await db.raw("""
                SELECT id, conversation_id, seq, type, payload, members_only, created_at FROM events
                WHERE org_id = \(bind: scope.orgID) AND conversation_id = \(bind: conversationID) AND seq > \(bind: afterSeq)
                ORDER BY seq LIMIT \(bind: limit)
                """).all(decoding: StoredEvent.self, with: self.rowDecoder)
        }
    }
}
