import Foundation
import HTTPTypes
import HummingbirdTesting
import ParleyCore
import ParleyRealtime
import Testing

@Suite("Widget visitor API")
struct WidgetAPITests {
    @Test("a session creates a visitor but no conversation; the anonymous token brings the same visitor back", arguments: Backend.allCases)
    func sessions(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let first = try await api.visitorSession(site)
            #expect(first.visitorId.hasPrefix("vis_"))
            #expect(first.conversationId == nil)
            let again = try await api.visitorSession(site, anonymousToken: first.anonymousToken)
            #expect(again.visitorId == first.visitorId)
            #expect(again.anonymousToken == first.anonymousToken)
            // A well-formed token nobody holds (or one from another site) starts a new visitor.
            let stranger = try await api.visitorSession(site, anonymousToken: "anon_" + RandomToken.make())
            #expect(stranger.visitorId != first.visitorId)
            let otherSite = try await api.createSite(owner, name: "Other")
            #expect(try await api.visitorSession(otherSite, anonymousToken: first.anonymousToken).visitorId != first.visitorId)

            let inbox = try api.decode(Page<Conversation>.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/conversations", token: owner.accessToken))
            #expect(inbox.items.isEmpty, "opening the widget must not create conversations")

            let malformed = try await api.request(.post, "/api/v1/widget/\(site.siteKey)/sessions",
                                                  json: ["anonymous_token": "anon_../../etc"], headers: [.origin: TestAPI.siteOrigin])
            #expect(malformed.status == .unprocessableContent)
            #expect(try api.problem(malformed).field == "anonymous_token")
        }
    }

    @Test("only the site's allowed origins are answered, with CORS headers for that origin alone", arguments: Backend.allCases)
    func origins(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner, origins: ["https://example.com", "http://localhost:3000"])
            let path = "/api/v1/widget/\(site.siteKey)/sessions"

            let allowed = try await api.request(.post, path, json: [String: String](), headers: [.origin: "http://localhost:3000"])
            #expect(allowed.status == .created)
            #expect(allowed.headers[HTTPField.Name("Access-Control-Allow-Origin")!] == "http://localhost:3000")

            let foreign = try await api.request(.post, path, json: [String: String](), headers: [.origin: "https://evil.example"])
            #expect(foreign.status == .forbidden)
            #expect(try api.problem(foreign).type == "urn:parley:problem:origin-not-allowed")
            #expect(foreign.headers[HTTPField.Name("Access-Control-Allow-Origin")!] == nil)

            let missing = try await api.request(.post, path, json: [String: String]())
            #expect(try api.problem(missing).type == "urn:parley:problem:origin-required")

            // A same-origin GET carries no Origin; the browser's Sec-Fetch-Site stands for Parley's own origin.
            let sameOrigin: HTTPFields = [HTTPField.Name("Sec-Fetch-Site")!: "same-origin"]
            let notOwnSite = try await api.request(.get, "/api/v1/widget/\(site.siteKey)/settings", headers: sameOrigin)
            #expect(try api.problem(notOwnSite).type == "urn:parley:problem:origin-not-allowed")
            let own = api.runtime.services.config.baseURL
            let ownSite = try await api.createSite(owner, name: "Demo", origins: [own])
            let demo = try await api.request(.get, "/api/v1/widget/\(ownSite.siteKey)/settings", headers: sameOrigin)
            #expect(demo.status == .ok)
            #expect(demo.headers[HTTPField.Name("Access-Control-Allow-Origin")!] == own)
            let crossSite = try await api.request(.get, "/api/v1/widget/\(ownSite.siteKey)/settings",
                                                  headers: [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"])
            #expect(crossSite.status == .forbidden)

            let unknownSite = try await api.request(.post, "/api/v1/widget/pk_nosuchkey/sessions", json: [String: String](),
                                                    headers: [.origin: "https://example.com"])
            #expect(unknownSite.status == .notFound)

            let preflight = try await api.request(.options, "/api/v1/widget/\(site.siteKey)/messages",
                                                  headers: [.origin: "https://example.com",
                                                            HTTPField.Name("Access-Control-Request-Method")!: "POST"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[HTTPField.Name("Access-Control-Allow-Headers")!]?.contains("Authorization") == true)
            #expect(preflight.headers[HTTPField.Name("Access-Control-Allow-Origin")!] == "https://example.com")
            let foreignPreflight = try await api.request(.options, "/api/v1/widget/\(site.siteKey)/messages",
                                                         headers: [.origin: "https://evil.example"])
            #expect(foreignPreflight.status == .forbidden)

            // Errors past the origin check still carry CORS headers, so the widget can read them.
            let unauthenticated = try await api.request(.get, "/api/v1/widget/\(site.siteKey)/messages", headers: [.origin: "https://example.com"])
            #expect(unauthenticated.status == .unauthorized)
            #expect(unauthenticated.headers[HTTPField.Name("Access-Control-Allow-Origin")!] == "https://example.com")
        }
    }

    @Test("the first message creates the conversation; retries are idempotent; after resolution a new one opens", arguments: Backend.allCases)
    func lazyConversation(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let session = try await api.visitorSession(site)
            let first = try await api.visitorSend(site, session, "Hello?", clientID: "w-1")
            #expect(first.authorType == .visitor)
            #expect(first.authorId == session.visitorId)
            let retry = try await api.visitorSend(site, session, "Hello?", clientID: "w-1")
            #expect(retry.id == first.id)
            let second = try await api.visitorSend(site, session, "Anyone?")
            #expect(second.conversationId == first.conversationId)

            let conversation = try api.decode(Conversation.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/conversations/\(first.conversationId)", token: owner.accessToken))
            #expect(conversation.visitor.id == session.visitorId)
            #expect(conversation.lastMessage?.body == "Anyone?")

            let resolved = try await api.request(.patch, "/api/v1/orgs/\(owner.orgID)/conversations/\(first.conversationId)",
                                                 json: ["status": "resolved"], token: owner.accessToken)
            #expect(resolved.status == .ok)
            let later = try await api.visitorSend(site, session, "One more thing")
            #expect(later.conversationId != first.conversationId)
            // A retry of the first message still finds it, in its old conversation.
            #expect(try await api.visitorSend(site, session, "Hello?", clientID: "w-1").id == first.id)
        }
    }

    @Test("history shows the visitor's current conversation without private notes", arguments: Backend.allCases)
    func history(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let session = try await api.visitorSession(site)
            let path = "/api/v1/widget/\(site.siteKey)/messages"
            struct History: Decodable { let conversationId: String?, items: [Message] }
            let empty = try api.decode(History.self, try await api.request(.get, path, token: session.visitorToken,
                                                                          headers: [.origin: TestAPI.siteOrigin]))
            #expect(empty.conversationId == nil && empty.items.isEmpty)

            let sent = try await api.visitorSend(site, session, "Hi")
            let conversation = try await api.store.conversation(try #require(try await api.store.operatorScope(orgID: owner.orgID)),
                                                                id: sent.conversationId)
            _ = try await api.sendMessage(owner, conversation, "internal: VIP customer", private: true)
            _ = try await api.sendMessage(owner, conversation, "Hello! How can I help?")
            let history = try api.decode(History.self, try await api.request(.get, path, token: session.visitorToken,
                                                                            headers: [.origin: TestAPI.siteOrigin]))
            #expect(history.conversationId == sent.conversationId)
            #expect(history.items.map(\.body) == ["Hi", "Hello! How can I help?"])
        }
    }

    @Test("visitor and member tokens are not interchangeable, and a visitor token works on its own site only", arguments: Backend.allCases)
    func tokens(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let session = try await api.visitorSession(site)
            let asMember = try await api.request(.get, "/api/v1/orgs/\(owner.orgID)/conversations", token: session.visitorToken)
            #expect(asMember.status == .unauthorized)
            let asVisitor = try await api.request(.get, "/api/v1/widget/\(site.siteKey)/messages", token: owner.accessToken,
                                                  headers: [.origin: TestAPI.siteOrigin])
            #expect(asVisitor.status == .unauthorized)

            let stranger = try await api.signUp()
            let foreignSite = try await api.createSite(stranger)
            let crossSite = try await api.request(.post, "/api/v1/widget/\(foreignSite.siteKey)/messages", json: ["body": "hi"],
                                                  token: session.visitorToken, headers: [.origin: TestAPI.siteOrigin])
            #expect(crossSite.status == .unauthorized)
            let inbox = try api.decode(Page<Conversation>.self, try await api.request(
                .get, "/api/v1/orgs/\(stranger.orgID)/conversations", token: stranger.accessToken))
            #expect(inbox.items.isEmpty)

            api.clock.advance(by: 2 * 3600)
            let expired = try await api.request(.get, "/api/v1/widget/\(site.siteKey)/messages", token: session.visitorToken,
                                                headers: [.origin: TestAPI.siteOrigin])
            #expect(try api.problem(expired).type == "urn:parley:problem:token-expired")
        }
    }

    @Test("widget writes are limited per client address and per site (429 with Retry-After); refused requests store nothing",
          arguments: Backend.allCases)
    func abuseLimits(_ backend: Backend) async throws {
        try await withParley(backend, configure: { config in
            config.trustProxy = true
            config.widgetAddressBurst = 3
            config.widgetAddressRate = 0.01
            config.widgetSiteBurst = 5
            config.widgetSiteRate = 0.01
        }) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            func start(from address: String) async throws -> TestResponse {
                try await api.request(.post, "/api/v1/widget/\(site.siteKey)/sessions", json: [String: String](),
                                      headers: [.origin: TestAPI.siteOrigin, HTTPField.Name("X-Forwarded-For")!: "10.0.0.9, \(address)"])
            }
            for _ in 0..<3 { #expect(try await start(from: "192.0.2.1").status == .created) }
            let refused = try await start(from: "192.0.2.1")
            #expect(refused.status == .tooManyRequests)
            #expect(try api.problem(refused).type == "urn:parley:problem:rate-limited")
            #expect(refused.headers[.retryAfter] == "100")
            // Another address has its own allowance, until the site's is spent.
            #expect(try await start(from: "192.0.2.2").status == .created)
            #expect(try await start(from: "192.0.2.2").status == .created)
            let siteWide = try await start(from: "192.0.2.3")
            #expect(siteWide.status == .tooManyRequests)
            #expect(try api.problem(siteWide).detail?.contains("for this site") == true)
            let inbox = try api.decode(Page<Conversation>.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/conversations", token: owner.accessToken))
            #expect(inbox.items.isEmpty)
        }
    }

    @Test("the per-key limiter stays within its bound: refilled buckets are forgotten first, then any, and remembered keys stay limited")
    func limiterBound() {
        let limiter = KeyedRateLimiter(capacity: 1, refillPerSecond: 1, maxKeys: 4)
        let start = ContinuousClock.now
        for index in 0..<50 { _ = limiter.take("address-\(index)", at: start) }
        #expect(limiter.keyCount <= 4)
        #expect(limiter.take("address-49", at: start) == false, "the newest key was forgotten while still in debt")
        // Once the remembered buckets have refilled they hold nothing, and all go at the next new key.
        #expect(limiter.take("late-comer", at: start + .seconds(10)))
        #expect(limiter.keyCount == 1)
    }
}
