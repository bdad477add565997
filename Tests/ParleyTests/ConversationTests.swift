import Foundation
import ParleyCore
import Testing

@Suite("Conversations")
struct ConversationTests {
    struct Fixture {
        let owner: Account
        let agent: Account
        let site: Site
        let other: Site
    }

    func fixture(_ api: TestAPI) async throws -> Fixture {
        let owner = try await api.signUp()
        return Fixture(owner: owner, agent: try await api.addMember(to: owner), site: try await api.createSite(owner),
                       other: try await api.createSite(owner, name: "Other site"))
    }

    func list(_ api: TestAPI, _ account: Account, _ query: String = "") async throws -> Page<Conversation> {
        let response = try await api.request(.get, "/api/v1/orgs/\(account.orgID)/conversations\(query)", token: account.accessToken)
        #expect(response.status == .ok)
        return try api.decode(Page<Conversation>.self, response)
    }

    func patch(_ api: TestAPI, _ account: Account, _ conversation: Conversation, _ json: [String: JSONValue]) async throws -> Conversation {
        let response = try await api.request(.patch, "/api/v1/orgs/\(account.orgID)/conversations/\(conversation.id)",
                                             json: json, token: account.accessToken)
        #expect(response.status == .ok)
        return try api.decode(Conversation.self, response)
    }

    @Test("the inbox pages newest first with a cursor, each row with last message and unread count", arguments: Backend.allCases)
    func pagination(_ backend: Backend) async throws {
        let clock = ManualClock()
        try await withParley(backend, clock: clock) { api in
            let f = try await fixture(api)
            var created: [Conversation] = []
            for index in 0..<7 {
                clock.advance(by: 1)
                created.append(try await api.startConversation(f.owner, site: f.site, visitor: "V\(index)", message: "hello \(index)"))
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await list(api, f.agent, "?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(page.items.count <= 3)
                seen += page.items.map(\.id)
                for row in page.items {
                    #expect(row.lastMessage?.body.hasPrefix("hello ") == true)
                    #expect(row.unreadCount == 1)
                }
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == created.reversed().map(\.id))
        }
    }

    @Test("filters: status, assignee me/unassigned, site, label, priority", arguments: Backend.allCases)
    func filters(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let f = try await fixture(api)
            let a = try await api.startConversation(f.owner, site: f.site, visitor: "A")
            let b = try await api.startConversation(f.owner, site: f.site, visitor: "B")
            let c = try await api.startConversation(f.owner, site: f.other, visitor: "C")
            _ = try await patch(api, f.agent, a, ["status": "pending", "labels": ["billing", "VIP", "needs review"], "priority": "high"])
            #expect(try await api.request(.post, "/api/v1/orgs/\(f.owner.orgID)/conversations/\(b.id)/claim",
                                          token: f.agent.accessToken).status == .ok)

            #expect(try await list(api, f.agent, "?status=pending").items.map(\.id) == [a.id])
            #expect(try await list(api, f.agent, "?assignee=me").items.map(\.id) == [b.id])
            #expect(try await list(api, f.owner, "?assignee=me").items.isEmpty)
            #expect(Set(try await list(api, f.agent, "?assignee=unassigned").items.map(\.id)) == [a.id, c.id])
            #expect(try await list(api, f.agent, "?assignee=\(f.agent.userID)").items.map(\.id) == [b.id])
            #expect(try await list(api, f.agent, "?site=\(f.other.id)").items.map(\.id) == [c.id])
            #expect(try await list(api, f.agent, "?label=vip").items.map(\.id) == [a.id])
            // Browsers' forms and URLSearchParams write a space as `+`; `%2B` is a plus.
            #expect(try await list(api, f.agent, "?label=needs+review").items.map(\.id) == [a.id])
            #expect(try await list(api, f.agent, "?label=needs%20review").items.map(\.id) == [a.id])
            #expect(try await list(api, f.agent, "?label=needs%2Breview").items.isEmpty)
            #expect(try await list(api, f.agent, "?priority=high").items.map(\.id) == [a.id])
            #expect(try await list(api, f.agent, "?status=open&site=\(f.site.id)").items.map(\.id) == [b.id])
        }
    }

    @Test("update sets status, priority, labels and assignee; null unassigns; strangers can't be assigned", arguments: Backend.allCases)
    func update(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let f = try await fixture(api)
            let conversation = try await api.startConversation(f.owner, site: f.site)
            let updated = try await patch(api, f.agent, conversation, [
                "status": "resolved", "priority": "urgent", "labels": ["b", "a", "a"], "assignee_id": .string(f.agent.userID),
            ])
            #expect(updated.status == .resolved)
            #expect(updated.priority == .urgent)
            #expect(updated.labels == ["a", "b"])
            #expect(updated.assigneeId == f.agent.userID)
            #expect(updated.seq > conversation.seq)

            let kept = try await patch(api, f.agent, conversation, ["status": "open"])
            #expect(kept.assigneeId == f.agent.userID)
            let unassigned = try await patch(api, f.agent, conversation, ["assignee_id": .null])
            #expect(unassigned.assigneeId == nil)

            let stranger = try await api.signUp()
            let refused = try await api.request(.patch, "/api/v1/orgs/\(f.owner.orgID)/conversations/\(conversation.id)",
                                                json: ["assignee_id": stranger.userID], token: f.agent.accessToken)
            #expect(refused.status == .unprocessableContent)
            #expect(try api.problem(refused).field == "assignee_id")
        }
    }

    @Test("a claimed conversation can't be claimed again, not even by its holder", arguments: Backend.allCases)
    func claimTwice(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let f = try await fixture(api)
            let conversation = try await api.startConversation(f.owner, site: f.site)
            let path = "/api/v1/orgs/\(f.owner.orgID)/conversations/\(conversation.id)/claim"
            let won = try await api.request(.post, path, token: f.agent.accessToken)
            #expect(won.status == .ok)
            #expect(try api.decode(Conversation.self, won).assigneeId == f.agent.userID)
            let lost = try await api.request(.post, path, token: f.owner.accessToken)
            #expect(lost.status == .conflict)
            #expect(try api.problem(lost).detail?.contains(f.agent.userID) == true)
        }
    }

    @Test("every change is written to the outbox with the conversation's next sequence", arguments: Backend.allCases)
    func outbox(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let f = try await fixture(api)
            let conversation = try await api.startConversation(f.owner, site: f.site)
            _ = try await patch(api, f.agent, conversation, ["status": "pending"])
            _ = try await api.sendMessage(f.agent, conversation, "a note", private: true)
            let scope = try #require(try await api.store.operatorScope(orgID: f.owner.orgID))
            let events = try await api.store.events(scope, conversationID: conversation.id, afterSeq: 0)
            #expect(events.map(\.type) == ["conversation.created", "message.created", "conversation.updated", "message.created"])
            #expect(events.compactMap(\.seq) == [1, 2, 3, 4])
            #expect(events.map(\.membersOnly) == [false, false, false, true])
            // The update's payload states an absent assignee as null rather than leaving it out.
            let update = try #require(events.first { $0.type == "conversation.updated" })
            let state = try #require(try JSONSerialization.jsonObject(with: Data(update.payload.utf8)) as? [String: Any])
            #expect(state["assignee_id"] is NSNull && state["status"] as? String == "pending", "\(update.payload)")
        }
    }
}

/// A JSON value for request bodies that mix types (and need explicit nulls).
enum JSONValue: Encodable, Sendable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByIntegerLiteral {
    case string(String)
    case int(Int)
    case array([JSONValue])
    case null

    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(arrayLiteral elements: JSONValue...) { self = .array(elements) }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .null: try container.encodeNil()
        }
    }

    @Test("a message moves the conversation's last activity (the inbox order) only when it is at least a second newer",
          arguments: Backend.allCases)
    func activityResolution(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let conversation = try await api.startConversation(owner, site: try await api.createSite(owner), message: nil)
            func stored() async throws -> Conversation {
                try api.decode(Conversation.self, try await api.request(
                    .get, "/api/v1/orgs/\(owner.orgID)/conversations/\(conversation.id)", token: owner.accessToken))
            }
            let start = (try await stored()).lastActivityAt

            api.clock.advance(by: 0.4)
            #expect(try await api.sendMessage(owner, conversation, "soon after").status == .created)
            let unmoved = try await stored()
            #expect(unmoved.lastActivityAt == start)
            #expect(unmoved.lastMessage?.body == "soon after")

            api.clock.advance(by: 0.7)
            #expect(try await api.sendMessage(owner, conversation, "a second later").status == .created)
            let moved = try await stored()
            #expect(moved.lastMessage?.body == "a second later")
            #expect(moved.lastActivityAt == moved.lastMessage?.createdAt)
            #expect(moved.lastActivityAt > start)
        }
    }
}
