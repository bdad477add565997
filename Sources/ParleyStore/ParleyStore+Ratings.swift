import Foundation
import ParleyCore
import SQLKit

/// Satisfaction ratings (CSAT): one per conversation, given by its visitor once it is resolved.
extension ParleyStore {
    struct RatingEvent: Encodable {
        let conversationId: String, score: Int, comment: String?, createdAt: Date
    }

    /// Rates the visitor's own resolved (or closed) conversation; a second rating is a conflict.
    /// Members hear of it through a members-only `conversation.rated` event.
    public func rate(_ visitor: VisitorScope, conversationID: String, score: Int, comment: String?) async throws -> Rating {
        let now = nowMS
        try await engine.transaction { db in
            let status = try await db.raw("""
                SELECT status FROM conversations WHERE org_id = \(bind: visitor.orgID) AND id = \(bind: conversationID)
                AND visitor_id = \(bind: visitor.visitorID)
                """).first(decodingColumn: "status", as: String.self)
            guard let status else { throw StoreError.notFound("conversation") }
            guard status == ConversationStatus.resolved.rawValue || status == ConversationStatus.closed.rawValue else {
                throw StoreError.conflict("a conversation can be rated once it is resolved")
            }
            let inserted = try await db.raw("""
                INSERT INTO conversation_ratings (conversation_id, org_id, score, comment, created_at)
                VALUES (\(bind: conversationID), \(bind: visitor.orgID), \(bind: score), \(bind: comment), \(bind: now))
                ON CONFLICT (conversation_id) DO NOTHING RETURNING conversation_id
                """).first()
            guard inserted != nil else { throw StoreError.conflict("this conversation is already rated") }
            try await self.appendEvent(db, orgID: visitor.orgID, conversationID: conversationID, seq: nil, type: EventType.conversationRated,
                                       payload: RatingEvent(conversationId: conversationID, score: score, comment: comment,
                                                            createdAt: Timestamp.date(now)),
                                       membersOnly: true)
        }
        return Rating(score: score, comment: comment, createdAt: Timestamp.date(now))
    }
}
