import Foundation
import ParleyCore
import ParleyStore
import Testing

@Suite("Messages")
struct MessageTests {
    func path(_ account: Account, _ conversation: Conversation, _ suffix: String = "") -> String {
        "/api/v1/orgs/\(account.orgID)/conversations/\(conversation.id)/messages\(suffix)"
    }

    func page(_ api: TestAPI, _ account: Account, _ conversation: Conversation, _ query: String) async throws -> Page<Message> {
        let response = try await api.request(.get, path(account, conversation, query), token: account.accessToken)
        #expect(response.status == .ok)
        return try api.decode(Page<Message>.self, response)
    }

    @Test("history pages backwards from the latest and forwards from a sequence, without gaps or repeats", arguments: Backend.allCases)
    func pagingBothWays(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let conversation = try await api.startConversation(owner, site: try await api.createSite(owner), message: "m0")
            for index in 1..<10 { _ = try await api.sendMessage(owner, conversation, "m\(index)") }

            var backwards: [String] = []
            var cursor: String? = nil
            repeat {
                let result = try await page(api, owner, conversation, "?limit=4" + (cursor.map { "&before=\($0)" } ?? ""))
                #expect(result.items.map(\.seq) == result.items.map(\.seq).sorted())
                backwards = result.items.map(\.body) + backwards
                cursor = result.nextCursor
            } while cursor != nil
            #expect(backwards == (0..<10).map { "m\($0)" })

            var forwards: [String] = []
            cursor = "0"
            while let after = cursor {
                let result = try await page(api, owner, conversation, "?limit=3&after=\(after)")
                forwards += result.items.map(\.body)
                cursor = result.nextCursor
            }
            #expect(forwards == backwards)
        }
    }

    @Test("a retried send with the same client id returns the first message", arguments: Backend.allCases)
    func idempotentRetry(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let conversation = try await api.startConversation(owner, site: try await api.createSite(owner), message: nil)
            let first = try await api.sendMessage(owner, conversation, "hello", clientID: "c-1")
            let retry = try await api.sendMessage(owner, conversation, "hello (retry with other text)", clientID: "c-1")
            #expect(first.status == .created)
            #expect(retry.status == .ok)
            #expect(try api.decode(Message.self, first) == api.decode(Message.self, retry))
            #expect(try await page(api, owner, conversation, "").items.count == 1)
        }
    }

    /// On PostgreSQL the write itself is the membership check (no query before it), so this
    /// proves the message statement refuses a removed author.
    @Test("a realtime send as a member is refused once the membership is gone, and writes nothing", arguments: Backend.allCases)
    func sendAsMember(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let agent = try await api.addMember(to: owner)
            let stranger = try await api.signUp()
            let conversation = try await api.startConversation(owner, site: try await api.createSite(owner), message: nil)
            let store = api.store
            func send(_ account: Account, to conversationID: String, clientID: String? = nil) async throws -> ParleyStore.SentMessage? {
                try await store.sendMessage(asMember: account.userID, orgID: owner.orgID, conversationID: conversationID,
                                            draft: MessageDraft(body: "from \(account.userID)", isPrivate: false, clientID: clientID))
            }

            let sent = try #require(try await send(agent, to: conversation.id, clientID: "a-1"))
            #expect(sent.created && sent.message.seq == conversation.seq + 1 && sent.message.authorId == agent.userID)
            #expect(try await send(agent, to: conversation.id, clientID: "a-1")?.created == false)  // a retry
            await #expect(throws: StoreError.notFound("conversation")) { try await send(agent, to: "cnv_missing") }
            #expect(try await send(stranger, to: conversation.id) == nil)

            let scope = try #require(try await store.operatorScope(orgID: owner.orgID))
            try await store.removeMember(scope, userID: agent.userID)
            let cursor = try await store.inboxCursor(scope)
            #expect(try await send(agent, to: conversation.id) == nil)
            #expect(try await store.conversation(scope, id: conversation.id).seq == conversation.seq + 1)
            #expect(try await store.inboxCursor(scope) == cursor, "no event for the refused send")
        }
    }

    @Test("private notes are flagged and kept out of visitor-facing events", arguments: Backend.allCases)
    func privateNotes(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let conversation = try await api.startConversation(owner, site: try await api.createSite(owner))
            let note = try api.decode(Message.self, try await api.sendMessage(owner, conversation, "internal only", private: true))
            #expect(note.private)
            let scope = try #require(try await api.store.operatorScope(orgID: owner.orgID))
            let event = try #require(try await api.store.events(scope, conversationID: conversation.id, afterSeq: note.seq - 1).first)
            #expect(event.membersOnly)
        }
    }

    @Test("authors edit and delete their messages; other agents can't, admins can", arguments: Backend.allCases)
    func editAndDelete(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let agent = try await api.addMember(to: owner)
            let colleague = try await api.addMember(to: owner)
            let conversation = try await api.startConversation(owner, site: try await api.createSite(owner))
            let message = try api.decode(Message.self, try await api.sendMessage(agent, conversation, "tpyo"))
            let messagePath = path(owner, conversation, "/\(message.id)")

            let refused = try await api.request(.patch, messagePath, json: ["body": "hijack"], token: colleague.accessToken)
            #expect(refused.status == .forbidden)
            let edited = try await api.request(.patch, messagePath, json: ["body": "typo"], token: agent.accessToken)
            #expect(edited.status == .ok)
            let editedMessage = try api.decode(Message.self, edited)
            #expect(editedMessage.body == "typo")
            #expect(editedMessage.edited)

            #expect(try await api.request(.delete, messagePath, token: colleague.accessToken).status == .forbidden)
            let deleted = try await api.request(.delete, messagePath, token: owner.accessToken)
            #expect(deleted.status == .ok)
            let deletedMessage = try api.decode(Message.self, deleted)
            #expect(deletedMessage.deleted && deletedMessage.body.isEmpty)
            // Deleted stays deleted; the history keeps its place with the marker.
            #expect(try await api.request(.patch, messagePath, json: ["body": "back"], token: agent.accessToken).status == .conflict)
            let history = try await page(api, owner, conversation, "")
            #expect(history.items.first(where: { $0.id == message.id })?.deleted == true)
        }
    }

    @Test("unread counts follow the read marker and ignore one's own messages", arguments: Backend.allCases)
    func unreadCounts(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let agent = try await api.addMember(to: owner)
            let conversation = try await api.startConversation(owner, site: try await api.createSite(owner), message: "visitor 1")
            let reply = try api.decode(Message.self, try await api.sendMessage(agent, conversation, "agent reply"))
            func unread(_ account: Account) async throws -> Int {
                try api.decode(Conversation.self, try await api.request(
                    .get, "/api/v1/orgs/\(owner.orgID)/conversations/\(conversation.id)", token: account.accessToken)).unreadCount
            }
            #expect(try await unread(owner) == 2)
            #expect(try await unread(agent) == 0)  // sending marks everything before as read for the sender

            let read = try await api.request(.post, "/api/v1/orgs/\(owner.orgID)/conversations/\(conversation.id)/read",
                                             json: ["seq": reply.seq - 1], token: owner.accessToken)
            #expect(read.status == .ok)
            #expect(try await unread(owner) == 1)
            // Markers never move backwards.
            _ = try await api.request(.post, "/api/v1/orgs/\(owner.orgID)/conversations/\(conversation.id)/read",
                                      json: ["seq": 0], token: owner.accessToken)
            #expect(try await unread(owner) == 1)
            let beyond = try await api.request(.post, "/api/v1/orgs/\(owner.orgID)/conversations/\(conversation.id)/read",
                                               json: ["seq": reply.seq + 50], token: owner.accessToken)
            #expect(beyond.status == .unprocessableContent)
        }
    }
}
