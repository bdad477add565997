import ParleyCore
import ParleyRealtime
import ParleyStore

/// The commands of a visitor's socket (the website widget): only the visitor's own conversations,
/// no private notes, no inbox.
extension RealtimeSession {
    func runVisitor(_ command: ClientCommand, visitor: VisitorScope) async throws {
        // A deleted visitor (or site) can do nothing more.
        guard try await services.store.visitorScope(orgID: visitor.orgID, siteID: visitor.siteID, visitorID: visitor.visitorID) != nil else {
            throw ParticipantRevoked()
        }
        switch command.type {
        case .ping:
            reply(ServerFrame.ack(command.id))
        case .subscribeInbox:
            throw CommandError(code: "forbidden", message: "visitors follow their own conversation only")
        case .presence:
            let page = try command.page.map { raw throws(ValidationError) in try PageURL.check(raw) }
            try await presence.set(visitor, connectionID: sinkID, online: true, page: page)
            reply(ServerFrame.ack(command.id))
        case .subscribe:
            let conversationID = try command.requireConversation()
            let currentSeq = try await services.store.conversationSeq(visitor, id: conversationID)
            try await subscribe(conversationID: conversationID, currentSeq: currentSeq, afterSeq: command.afterSeq, id: command.id) { after in
                try await self.services.store.events(visitor, conversationID: conversationID, afterSeq: after, limit: Self.replayBatch)
            } readMarkers: {
                try await self.services.store.readMarkers(visitor, conversationID: conversationID)
            }
        case .unsubscribe:
            let conversationID = try command.requireConversation()
            _ = try await services.store.conversationSeq(visitor, id: conversationID)
            hub.unsubscribe(self, orgID: visitor.orgID, conversationID: conversationID)
            reply(ServerFrame.ack(command.id))
        case .send:
            if command.private == true { throw CommandError(code: "forbidden", message: "visitors cannot write private notes") }
            let result = try await services.store.sendMessage(visitor, draft: try command.draft(isPrivate: false))
            reply(ServerFrame.ack(command.id, extra: #","message":\#(result.json ?? ServerFrame.json(result.message))"#))
            if result.conversationCreated {
                // Agents learn which conversation this online visitor (and their page) now belongs to.
                try await presence.set(visitor, connectionID: sinkID, online: true, page: nil)
            }
        case .typing:
            let conversationID = try command.requireConversation()
            _ = try await services.store.conversationSeq(visitor, id: conversationID)
            try await relayTyping(command, conversationID: conversationID, typist: #""visitor_id":"\#(visitor.visitorID)""#)
        case .read:
            let marker = try await services.store.markRead(visitor, conversationID: try command.requireConversation(), seq: try command.readSeq())
            reply(ServerFrame.ack(command.id, extra: #","last_read_seq":\#(marker)"#))
        }
    }
}
