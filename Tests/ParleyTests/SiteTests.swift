import Foundation
import ParleyCore
import Testing

@Suite("Sites")
struct SiteTests {
    @Test("owners create, update, rotate and delete sites; origins are normalized", arguments: Backend.allCases)
    func lifecycle(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner, name: "Shop", origins: ["HTTPS://Shop.Example.com/", "https://shop.example.com"])
            #expect(site.allowedOrigins == ["https://shop.example.com"])
            #expect(site.siteKey.hasPrefix("pk_"))
            #expect(site.identitySecret != nil)

            let base = "/api/v1/orgs/\(owner.orgID)/sites/\(site.id)"
            let renamed = try api.decode(Site.self, try await api.request(
                .patch, base, json: ["name": "Shop EU"], token: owner.accessToken))
            #expect(renamed.name == "Shop EU")
            #expect(renamed.allowedOrigins == site.allowedOrigins)

            let rotated = try api.decode(Site.self, try await api.request(.post, base + "/rotate-keys", token: owner.accessToken))
            #expect(rotated.siteKey != site.siteKey)
            #expect(rotated.identitySecret != site.identitySecret)

            let list = try api.decode([Site].self, try await api.request(.get, "/api/v1/orgs/\(owner.orgID)/sites", token: owner.accessToken))
            #expect(list.map(\.id) == [site.id])

            #expect(try await api.request(.delete, base, token: owner.accessToken).status == .noContent)
            #expect(try await api.request(.get, base, token: owner.accessToken).status == .notFound)
        }
    }

    @Test("agents see sites without the identity secret and cannot change them", arguments: Backend.allCases)
    func agentsReadOnly(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let agent = try await api.addMember(to: owner)
            let site = try await api.createSite(owner)
            let seen = try api.decode(Site.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/sites/\(site.id)", token: agent.accessToken))
            #expect(seen.identitySecret == nil)
            let base = "/api/v1/orgs/\(owner.orgID)/sites"
            #expect(try await api.request(.post, base, json: ["name": "Mine"], token: agent.accessToken).status == .forbidden)
            #expect(try await api.request(.patch, base + "/\(site.id)", json: ["name": "X"], token: agent.accessToken).status == .forbidden)
            #expect(try await api.request(.post, base + "/\(site.id)/rotate-keys", token: agent.accessToken).status == .forbidden)
            #expect(try await api.request(.delete, base + "/\(site.id)", token: agent.accessToken).status == .forbidden)
            #expect(try api.decode(Site.self, try await api.request(.get, base + "/\(site.id)", token: owner.accessToken)).name == site.name)
        }
    }

    @Test("origins with paths, credentials or other schemes are refused with the index", arguments: Backend.allCases)
    func badOrigins(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            for bad in ["ftp://example.com", "https://example.com/path", "https://user@example.com", "example.com", "https://exa mple.com",
                        "https://example.com:99999"] {
                let response = try await api.request(.post, "/api/v1/orgs/\(owner.orgID)/sites",
                                                     json: ["name": "S", "allowed_origins": .array(["https://ok.example", .string(bad)])] as [String: JSONValue],
                                                     token: owner.accessToken)
                #expect(response.status == .unprocessableContent, "\(bad)")
                #expect(try api.problem(response).field == "allowed_origins[1]")
            }
            let none = try api.decode([Site].self, try await api.request(.get, "/api/v1/orgs/\(owner.orgID)/sites", token: owner.accessToken))
            #expect(none.isEmpty)
        }
    }
}
