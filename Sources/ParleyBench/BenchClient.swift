import AsyncHTTPClient
import Foundation
import NIOCore
import ParleyCore

/// The REST calls benchmarks need to set up accounts, with the API's JSON conventions.
struct BenchClient {
    let http: HTTPClient
    let base: String

    struct Tokens: Decodable { let accessToken: String, user: User }

    func post<T: Decodable>(_ path: String, _ json: [String: String], token: String? = nil, as type: T.Type) async throws -> T {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        if let token { request.headers.add(name: "authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw BenchError("POST \(path) answered \(response.status): \(String(buffer: body))")
        }
        return try JSONCoding.makeDecoder().decode(T.self, from: Data(buffer: body))
    }

    /// An owner with a new organization plus `agents` invited members, all signed in.
    func team(agents: Int) async throws -> (orgID: String, tokens: [String]) {
        struct Me: Decodable { let memberships: [MembershipSummary] }
        let password = "benchmark password"
        let owner = try await post("/api/v1/auth/signup", ["email": "owner-\(UUID().uuidString.prefix(8))@example.com",
                                                            "password": password, "name": "Owner", "organization_name": "Bench"],
                                   as: Tokens.self)
        var request = HTTPClientRequest(url: base + "/api/v1/me")
        request.headers.add(name: "authorization", value: "Bearer \(owner.accessToken)")
        let me = try JSONCoding.makeDecoder().decode(Me.self, from: Data(buffer: try await http.execute(request, timeout: .seconds(30))
            .body.collect(upTo: 1 << 20)))
        let orgID = me.memberships[0].organization.id
        var tokens = [owner.accessToken]
        struct Invited: Decodable { let token: String }
        for index in 0..<agents {
            let invite = try await post("/api/v1/orgs/\(orgID)/invitations", ["email": "agent\(index)-\(UUID().uuidString.prefix(6))@example.com",
                                                                               "role": "agent"], token: owner.accessToken, as: Invited.self)
            let agent = try await post("/api/v1/invitations/accept", ["token": invite.token, "name": "Agent \(index)", "password": password],
                                       as: Tokens.self)
            tokens.append(agent.accessToken)
        }
        return (orgID, tokens)
    }
}
