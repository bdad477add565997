import Foundation
import ParleyCore
import SQLKit

/// What a visitor sends and reads: their current conversation, created on their first message.
extension ParleyStore {
    /// A visitor's message and the conversation it went to.
    public struct VisitorSend: Sendable {
        public let message: Message
        /// False when a retry with the same client id returned the earlier message.
        public let created: Bool
        /// True when this message opened a new conversation.
        public let conversationCreated: Bool
        /// The message as JSON, when this call wrote it (the same text its event carries).
        public var json: String?
    }

    /// Sends as the visitor into their open conversation, or opens one (never on widget open: only
    /// here). A retry with the same client id returns the first message, whichever conversation
    /// it went to.
    public func sendMessage(_ visitor: VisitorScope, draft: MessageDraft) async throws -> VisitorSend {
        let scope = visitor.organization
        do {
            return try await engine.transaction { db in
                if let clientID = draft.clientID, let earlier = try await self.visitorMessage(db, visitor: visitor, clientID: clientID) {
                    throw AlreadySent(message: earlier)
                }
                try await self.requireAllowedToSend(db, visitor: visitor)
                var conversationID = try await self.latestConversation(db, orgID: visitor.orgID, visitorID: visitor.visitorID, activeOnly: true)
                let opening = conversationID == nil
                if conversationID == nil {
                    let id = Identifier.make("cnv")
                    try await self.insertConversation(db, id: id, orgID: visitor.orgID, siteID: visitor.siteID, visitorID: visitor.visitorID)
                    conversationID = id
                }
                let inserted = try await self.insertMessage(db, scope: scope, conversationID: conversationID ?? "", draft: draft,
                                                            author: (.visitor, visitor.visitorID))
                return VisitorSend(message: inserted.message, created: true, conversationCreated: opening, json: inserted.json)
            }
        } catch let earlier as AlreadySent {
            return VisitorSend(message: earlier.message, created: false, conversationCreated: false)
        } catch where isUniqueViolation(error) {
            // A concurrent retry committed first (PostgreSQL); return its row.
            guard let clientID = draft.clientID,
                let existing = try await engine.read({ db in try await self.visitorMessage(db, visitor: visitor, clientID: clientID) })
            else { throw error }
            return VisitorSend(message: existing, created: false, conversationCreated: false)
        }
    }

    private func visitorMessage(_ db: any SQLDatabase, visitor: VisitorScope, clientID: String) async throws -> Message? {
        // Through the visitor's conversations, so both steps are index lookups.
        try await db.raw("""
            SELECT \(Self.messageColumns) FROM messages WHERE client_id = \(bind: clientID) AND conversation_id IN (
                SELECT id FROM conversations WHERE org_id = \(bind: visitor.orgID) AND visitor_id = \(bind: visitor.visitorID))
            """).first(decoding: MessageRow.self, with: rowDecoder)?.message
    }

    /// A page of the visitor's current conversation (private notes left out), and its id; an empty
    /// page before the first message.
    public func messages(_ visitor: VisitorScope, direction: MessagePageDirection, limit: Int) async throws -> (conversationID: String?, page: Page<Message>) {
        try await engine.read { db in
            guard let conversationID = try await self.latestConversation(db, orgID: visitor.orgID, visitorID: visitor.visitorID, activeOnly: false) else {
                return (nil, Page(items: [], nextCursor: nil))
            }
            let page = try await self.messagePage(db, orgID: visitor.orgID, conversationID: conversationID, direction: direction,
                                                  limit: limit, includePrivate: false)
            return (conversationID, page)
        }
    }

    /// Moves the visitor's read marker on their own conversation (agents see the receipt).
    public func markRead(_ visitor: VisitorScope, conversationID: String, seq: Int) async throws -> Int {
        try await markRead(visitor.organization, conversationID: conversationID, readerID: visitor.visitorID, seq: seq,
                           visitorID: visitor.visitorID)
    }
}
