import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import ParleyCore
import Testing

@Suite("Widget visitor identity")
struct WidgetIdentityTests {
    struct Identified: Decodable { let visitorId: String, visitorToken: String, verified: Bool }
    struct History: Decodable { let conversationId: String?, items: [Message] }

    static func hash(_ id: String, secret: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(id.utf8), using: SymmetricKey(data: Data(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    func identify(_ api: TestAPI, _ site: Site, token: String, _ body: [String: String]) async throws -> TestResponse {
        try await api.request(.post, "/api/v1/widget/\(site.siteKey)/identify", json: body, token: token,
                              headers: [.origin: TestAPI.siteOrigin])
    }

    @Test("a verified visitor is one visitor on every device, bad hashes are refused, and unverified claims never merge into them",
          arguments: Backend.allCases)
    func verification(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let secret = try #require(site.identitySecret)
            let good = Self.hash("cust-42", secret: secret)

            // Device A: chats anonymously, then the page identifies the customer.
            let deviceA = try await api.visitorSession(site)
            let first = try await api.visitorSend(site, deviceA, "from device A")
            for bad in [Self.hash("cust-43", secret: secret), Self.hash("cust-42", secret: "another secret"), "zz", ""] {
                let refused = try await identify(api, site, token: deviceA.visitorToken, ["id": "cust-42", "hash": bad])
                #expect(refused.status == .forbidden)
                #expect(try api.problem(refused).type == "urn:parley:problem:identity-invalid")
            }
            let verifiedA = try api.decode(Identified.self, try await identify(
                api, site, token: deviceA.visitorToken, ["id": "cust-42", "name": "Customer 42", "hash": good]))
            #expect(verifiedA.verified && verifiedA.visitorId == deviceA.visitorId)

            // Device B: a new browser proves the same identity and sees the same history.
            let deviceB = try await api.visitorSession(site)
            let verifiedB = try api.decode(Identified.self, try await identify(
                api, site, token: deviceB.visitorToken, ["id": "cust-42", "hash": good]))
            #expect(verifiedB.visitorId == deviceA.visitorId)
            let history = try api.decode(History.self, try await api.request(
                .get, "/api/v1/widget/\(site.siteKey)/messages", token: verifiedB.visitorToken, headers: [.origin: TestAPI.siteOrigin]))
            #expect(history.items.map(\.body) == ["from device A"])

            // Device C chatted anonymously first: its conversation joins the verified visitor.
            let deviceC = try await api.visitorSession(site)
            let anonymous = try await api.visitorSend(site, deviceC, "asked before logging in")
            _ = try await identify(api, site, token: deviceC.visitorToken, ["id": "cust-42", "hash": good])
            let moved = try api.decode(Conversation.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/conversations/\(anonymous.conversationId)", token: owner.accessToken))
            #expect(moved.visitor.id == deviceA.visitorId)
            #expect(moved.visitor.name == "Customer 42")

            // An unverified claim of the same id only names the anonymous visitor it came from.
            let mallory = try await api.visitorSession(site)
            let claimed = try api.decode(Identified.self, try await identify(
                api, site, token: mallory.visitorToken, ["id": "cust-42", "name": "Mallory"]))
            #expect(!claimed.verified && claimed.visitorId == mallory.visitorId)
            let original = try api.decode(Conversation.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/conversations/\(first.conversationId)", token: owner.accessToken))
            #expect(original.visitor.name == "Customer 42")
            // ...and a verified visitor cannot be renamed without a hash.
            let unhashed = try await identify(api, site, token: verifiedA.visitorToken, ["id": "cust-42", "name": "Mallory"])
            #expect(unhashed.status == .conflict)
        }
    }

    @Test("a site can require verification: unverified visitors cannot send until they prove who they are", arguments: Backend.allCases)
    func mandatory(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let changed = try await api.request(.patch, "/api/v1/orgs/\(owner.orgID)/sites/\(site.id)",
                                                json: ["identity_required": true], token: owner.accessToken)
            #expect(try api.decode(Site.self, changed).identityRequired)
            let session = try await api.visitorSession(site)
            let refused = try await api.request(.post, "/api/v1/widget/\(site.siteKey)/messages", json: ["body": "hi"],
                                                token: session.visitorToken, headers: [.origin: TestAPI.siteOrigin])
            #expect(refused.status == .forbidden)
            let unhashed = try await identify(api, site, token: session.visitorToken, ["id": "cust-7"])
            #expect(try api.problem(unhashed).type == "urn:parley:problem:identity-required")
            let inbox = try api.decode(Page<Conversation>.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/conversations", token: owner.accessToken))
            #expect(inbox.items.isEmpty)

            let verified = try api.decode(Identified.self, try await identify(
                api, site, token: session.visitorToken, ["id": "cust-7", "hash": Self.hash("cust-7", secret: try #require(site.identitySecret))]))
            let sent = try await api.request(.post, "/api/v1/widget/\(site.siteKey)/messages", json: ["body": "hi"],
                                             token: verified.visitorToken, headers: [.origin: TestAPI.siteOrigin])
            #expect(sent.status == .created)
        }
    }
}
