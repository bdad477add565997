import Foundation
import HTTPTypes
import HummingbirdTesting
import ParleyCore
import Testing

@Suite("Satisfaction ratings")
struct RatingTests {
    @Test("a visitor rates their conversation once it is resolved, once; members see the rating", arguments: Backend.allCases)
    func rating(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let visitor = try await api.visitorSession(site)
            let conversationID = try await api.visitorSend(site, visitor, "Help!").conversationId
            let rate: @Sendable (VisitorSession, Int) async throws -> TestResponse = { session, score in
                try await api.widget(.post, site, "rating", as: session,
                                     json: RatingBody(conversationId: conversationID, score: score, comment: "Quick <i>and</i> kind"))
            }

            let tooEarly = try await rate(visitor, 5)
            #expect(tooEarly.status == .conflict, "\(tooEarly.text)")
            let path = "/api/v1/orgs/\(owner.orgID)/conversations/\(conversationID)"
            #expect(try await api.jsonRequest(.patch, path, ["status": "resolved"], token: owner.accessToken).status == .ok)

            #expect(try api.problem(try await rate(visitor, 6)).field == "score")
            #expect(try api.problem(try await rate(visitor, 0)).field == "score")
            let otherVisitor = try await api.visitorSession(site)
            #expect(try await rate(otherVisitor, 1).status == .notFound, "only the conversation's own visitor rates it")

            let rated = try await rate(visitor, 4)
            #expect(rated.status == .created, "\(rated.text)")
            #expect(try await rate(visitor, 1).status == .conflict, "a second rating does not replace the first")

            let conversation = try api.decode(Conversation.self, try await api.request(.get, path, token: owner.accessToken))
            #expect(conversation.rating?.score == 4)
            #expect(conversation.rating?.comment == "Quick <i>and</i> kind")
            let scope = try #require(try await api.store.memberScope(userID: owner.userID, orgID: owner.orgID))
            let events = try await api.store.inboxEvents(scope, afterCursor: 0)
            #expect(events.contains { $0.type == "conversation.rated" && $0.membersOnly })

            try await api.patchWidget(owner, site, ["csat_enabled": false])
            #expect(try await rate(visitor, 4).status == .forbidden)
        }
    }
}

private struct RatingBody: Encodable, Sendable {
    let conversationId: String
    let score: Int
    let comment: String
}
