import Foundation
import ParleyCore
import Testing

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("50 concurrent claims of one conversation: exactly one wins, the rest get 409", arguments: Backend.allCases)
    func concurrentClaims(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            // setup: 50 agents of one organization and one unassigned conversation
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let conversation = try await api.startConversation(owner, site: site)
            var agents: [Account] = []
            for _ in 0..<50 { agents.append(try await api.addMember(to: owner)) }

            // act: everyone claims at once
            let statuses = try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for agent in agents {
                    group.addTask {
                        let response = try await api.request(.post, "/api/v1/orgs/\(owner.orgID)/conversations/\(conversation.id)/claim",
                                                             token: agent.accessToken)
                        return (agent.userID, Int(response.status.code))
                    }
                }
                return try await group.reduce(into: [(String, Int)]()) { $0.append($1) }
            }

            // check: one 200, 49 409, and the stored assignee is the winner
            let winners = statuses.filter { $0.1 == 200 }
            #expect(winners.count == 1)
            #expect(statuses.filter { $0.1 == 409 }.count == 49)
            let stored = try api.decode(Conversation.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/conversations/\(conversation.id)", token: owner.accessToken))
            #expect(stored.assigneeId == winners.first?.0)
        }
    }

    @Test("concurrent sends with one client id store one message", arguments: Backend.allCases)
    func concurrentIdempotentSends(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let conversation = try await api.startConversation(owner, site: site, message: nil)

            let replies = try await withThrowingTaskGroup(of: (Int, Message).self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let response = try await api.sendMessage(owner, conversation, "only once", clientID: "client-42")
                        return (Int(response.status.code), try api.decode(Message.self, response))
                    }
                }
                return try await group.reduce(into: [(Int, Message)]()) { $0.append($1) }
            }

            #expect(replies.filter { $0.0 == 201 }.count == 1)
            #expect(replies.filter { $0.0 == 200 }.count == 19)
            #expect(Set(replies.map(\.1.id)).count == 1)
            let page = try api.decode(Page<Message>.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/conversations/\(conversation.id)/messages", token: owner.accessToken))
            #expect(page.items.map(\.body) == ["only once"])
        }
    }

    @Test("sequence numbers stay unique and gap-free under concurrent sends", arguments: Backend.allCases)
    func concurrentSequence(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let conversation = try await api.startConversation(owner, site: site, message: nil)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<30 {
                    group.addTask { _ = try await api.sendMessage(owner, conversation, "message \(index)") }
                }
                try await group.waitForAll()
            }
            let page = try api.decode(Page<Message>.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/conversations/\(conversation.id)/messages?limit=100", token: owner.accessToken))
            let seqs = page.items.map(\.seq)
            #expect(seqs.count == 30)
            #expect(seqs == seqs.sorted())
            #expect(Set(seqs).count == 30)
            // Events in the outbox carry the same sequence, one per message, in order.
            let scope = try #require(try await api.store.operatorScope(orgID: owner.orgID))
            let events = try await api.store.events(scope, conversationID: conversation.id, afterSeq: 1)
            #expect(events.filter { $0.type == "message.created" }.compactMap(\.seq) == seqs)
            // Each payload is its message as stored, sequence included (PostgreSQL fills it in inside the insert).
            let payloads = try events.filter { $0.type == "message.created" }.map {
                try JSONCoding.makeDecoder().decode(Message.self, from: Data($0.payload.utf8))
            }
            #expect(payloads.map(\.seq) == seqs)
            #expect(payloads.map(\.id) == page.items.map(\.id))
            #expect(payloads.map(\.body) == page.items.map(\.body))
        }
    }
}
