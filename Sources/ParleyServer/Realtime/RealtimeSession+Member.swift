import ParleyCore
import ParleyRealtime
import ParleyStore

/// The commands of a member's socket (the agent dashboard).
extension RealtimeSession {
    func runMember(_ command: ClientCommand, identity: Identity, orgID: String) async throws {
        // Every command re-proves membership: a member removed mid-connection can do nothing more.
        // A send proves it inside its own write, a round trip fewer on the hottest command.
        if command.type == .send { return try await send(command, userID: identity.userID, orgID: orgID) }
        guard let scope = try await services.store.memberScope(userID: identity.userID, orgID: orgID) else {
            throw ParticipantRevoked()
        }
        switch command.type {
        case .ping:
            reply(ServerFrame.ack(command.id))
        case .subscribeInbox:
            if let after = command.afterCursor, after < 0 { throw CommandError(code: "validation", message: "after_cursor must not be negative") }
            let cursor = try await subscribeInbox(scope, afterCursor: command.afterCursor)
            let agents = try await presence.snapshot(scope).mapValues(\.rawValue)
            let visitors = try await presence.visitorSnapshot(scope)
            reply(ServerFrame.ack(command.id, extra: #","cursor":\#(cursor),"presence":\#(ServerFrame.json(agents))"#
                + #","visitors":\#(ServerFrame.json(visitors))"#))
        case .presence:
            guard let status = command.status.flatMap(PresenceStatus.init(rawValue:)), status != .offline else {
                throw CommandError(code: "validation", message: "status must be 'online' or 'away'")
            }
            try await presence.set(scope, connectionID: sinkID, status: status)
            reply(ServerFrame.ack(command.id))
        case .subscribe:
            let conversationID = try command.requireConversation()
            let currentSeq = try await services.store.conversationSeq(scope, id: conversationID)
            try await subscribe(conversationID: conversationID, currentSeq: currentSeq, afterSeq: command.afterSeq, id: command.id) { after in
                try await self.services.store.events(scope, conversationID: conversationID, afterSeq: after, limit: Self.replayBatch)
            } readMarkers: {
                try await self.services.store.readMarkers(scope, conversationID: conversationID)
            }
        case .unsubscribe:
            let conversationID = try command.requireConversation()
            _ = try await services.store.conversationSeq(scope, id: conversationID)  // foreign ids answer not-found
            hub.unsubscribe(self, orgID: scope.orgID, conversationID: conversationID)
            reply(ServerFrame.ack(command.id))
        case .send:
            preconditionFailure("a send proves its membership in its own write, above")
        case .typing:
            let conversationID = try command.requireConversation()
            _ = try await services.store.conversationSeq(scope, id: conversationID)
            try await relayTyping(command, conversationID: conversationID, typist: #""user_id":"\#(identity.userID)""#)
        case .read:
            let marker = try await services.store.markRead(scope, conversationID: try command.requireConversation(), seq: try command.readSeq())
            reply(ServerFrame.ack(command.id, extra: #","last_read_seq":\#(marker)"#))
        }
    }

    /// A removed member's send writes nothing and ends the socket (see `sendMessage(asMember:)`).
    private func send(_ command: ClientCommand, userID: String, orgID: String) async throws {
        let draft = try command.draft(isPrivate: command.private ?? false)  // the text is judged before the conversation
        guard let result = try await services.store.sendMessage(asMember: userID, orgID: orgID,
                                                                conversationID: try command.requireConversation(), draft: draft)
        else { throw ParticipantRevoked() }
        reply(ServerFrame.ack(command.id, extra: #","message":\#(result.json ?? ServerFrame.json(result.message))"#))
    }
}
