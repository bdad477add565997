import Foundation
import ParleyCore
import SQLKit
import Testing

@Suite("Search")
struct SearchTests {
    func search(_ api: TestAPI, _ account: Account, _ query: String) async throws -> [String] {
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        let response = try await api.request(.get, "/api/v1/orgs/\(account.orgID)/search?q=\(encoded)", token: account.accessToken)
        #expect(response.status == .ok)
        return try api.decode(Page<Conversation>.self, response).items.map(\.id)
    }

    @Test("finds conversations by visitor name, email and message words, only in the caller's organization", arguments: Backend.allCases)
    func searchScopes(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let refund = try await api.startConversation(owner, site: site, visitor: "Grace Hopper", email: "grace@navy.example",
                                                         message: "I would like a refund for my order")
            let shipping = try await api.startConversation(owner, site: site, visitor: "Alan", message: "Where is my parcel?")
            _ = try await api.sendMessage(owner, shipping, "Your parcel ships tomorrow (internal: courier delayed)", private: true)

            #expect(try await search(api, owner, "refund") == [refund.id])
            #expect(try await search(api, owner, "REFUND order") == [refund.id])
            #expect(try await search(api, owner, "hopper") == [refund.id])
            #expect(try await search(api, owner, "navy.example") == [refund.id])
            #expect(try await search(api, owner, "courier") == [shipping.id])  // members search private notes
            #expect(try await search(api, owner, "parc") == [shipping.id])  // prefix of the last word
            #expect(try await search(api, owner, "nonexistentword").isEmpty)
            // FTS syntax is plain text here, never an operator.
            #expect(try await search(api, owner, "refund OR parcel NEAR(\"x\") *").isEmpty)

            let stranger = try await api.signUp()
            _ = try await api.startConversation(stranger, site: try await api.createSite(stranger), message: "another refund please")
            #expect(try await search(api, owner, "refund") == [refund.id])
            #expect(try await search(api, stranger, "order").isEmpty)
        }
    }

    @Test("deleted and edited-away text is no longer found", arguments: Backend.allCases)
    func searchFollowsEdits(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let conversation = try await api.startConversation(owner, site: try await api.createSite(owner), visitor: "V", message: nil)
            let message = try api.decode(Message.self, try await api.sendMessage(owner, conversation, "pineapple"))
            #expect(try await search(api, owner, "pineapple") == [conversation.id])
            let base = "/api/v1/orgs/\(owner.orgID)/conversations/\(conversation.id)/messages/\(message.id)"
            _ = try await api.request(.patch, base, json: ["body": "mango"], token: owner.accessToken)
            #expect(try await search(api, owner, "pineapple").isEmpty)
            #expect(try await search(api, owner, "mango") == [conversation.id])
            _ = try await api.request(.delete, base, token: owner.accessToken)
            #expect(try await search(api, owner, "mango").isEmpty)
        }
    }

    @Test("results page with a cursor", arguments: Backend.allCases)
    func searchPaging(_ backend: Backend) async throws {
        let clock = ManualClock()
        try await withParley(backend, clock: clock) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            var ids: [String] = []
            for index in 0..<5 {
                clock.advance(by: 1)
                ids.append(try await api.startConversation(owner, site: site, visitor: "V\(index)", message: "invoice \(index)").id)
            }
            let first = try api.decode(Page<Conversation>.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/search?q=invoice&limit=3", token: owner.accessToken))
            let cursor = try #require(first.nextCursor)
            let second = try api.decode(Page<Conversation>.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/search?q=invoice&limit=3&cursor=\(cursor)", token: owner.accessToken))
            #expect(first.items.map(\.id) + second.items.map(\.id) == ids.reversed())
            #expect(second.nextCursor == nil)
        }
    }

    /// A GIN pending list is merged by whichever insert outgrows it, behind the organization's
    /// event cursor lock: one message (and its organization's senders) would wait tens of ms.
    @Test("on PostgreSQL the search index takes each message's words at once, with no pending list to merge later")
    func searchIndexWithoutPendingList() async throws {
        try await withParley(.postgres) { api in
            let options = try await api.runtime.engine.read { db in
                try await db.raw("SELECT array_to_string(reloptions, ',') AS options FROM pg_class WHERE relname = 'messages_body_tsv'")
                    .first(decodingColumn: "options", as: String?.self)
            }
            #expect(options == "fastupdate=off")
        }
    }
}
