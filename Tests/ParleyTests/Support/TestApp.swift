import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ParleyCore
import ParleyServer
import ParleyStore
import Testing

/// Opens a Parley runtime on a fresh database of `backend`, and shuts both down after `body`.
func withTestRuntime<R: Sendable>(
    _ backend: Backend, clock: any WallClock, configure: (inout ParleyConfiguration) -> Void,
    _ body: (ParleyRuntime) async throws -> R
) async throws -> R {
    try await withTestDatabase(backend) { database in
        var config = database.configuration()
        configure(&config)
        let runtime = try await ParleyRuntime.open(config: config, clock: clock, logger: quietLogger("parley-test"))
        do {
            let result = try await body(runtime)
            await runtime.shutdown()
            return result
        } catch {
            await runtime.shutdown()
            throw error
        }
    }
}

/// Runs `body` against a fresh Parley (router in-process) on a fresh database of `backend`.
func withParley<R: Sendable>(
    _ backend: Backend, clock: ManualClock = ManualClock(), configure: (inout ParleyConfiguration) -> Void = { _ in },
    logger requestLogger: Logger? = nil, _ body: @Sendable (TestAPI) async throws -> R
) async throws -> R {
    try await withTestRuntime(backend, clock: clock, configure: configure) { runtime in
        let app = Application(router: buildRouter(services: runtime.services, migrator: runtime.migrator),
                              logger: requestLogger ?? quietLogger("parley-test"))
        return try await app.test(.router) { client in
            try await body(TestAPI(client: client, runtime: runtime, clock: clock))
        }
    }
}

extension TestDatabase {
    /// Parley configured for tests on this database: cheap bcrypt, a fixed secret, a small pool.
    func configuration() -> ParleyConfiguration {
        var config = ParleyConfiguration()
        config.dataDirectory = directory
        config.databaseURL = url
        config.databaseMaxConnections = 6
        config.bcryptCost = 4
        config.jwtSecret = "test-secret-0123456789-abcdefghijklmnop"
        return config
    }
}

/// A logger that only speaks up about problems.
func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .warning
    return logger
}

/// A signed-in user and the organization they act in.
struct Account: Sendable {
    let userID: String
    let email: String
    let orgID: String
    var accessToken: String
    var refreshToken: String
}

/// A thin JSON client over the test router, plus fixtures.
struct TestAPI: Sendable {
    let client: any TestClientProtocol
    let runtime: ParleyRuntime
    let clock: ManualClock

    var store: ParleyStore { runtime.store }

    @discardableResult
    func request(_ method: HTTPRequest.Method, _ path: String, json: (any Encodable & Sendable)? = nil,
                 raw: ByteBuffer? = nil, token: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var fields = headers
        var body = raw
        if let json {
            body = ByteBuffer(bytes: try JSONCoding.makeEncoder().encode(json))
            if fields[.contentType] == nil { fields[.contentType] = "application/json" }
        }
        if let token { fields[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: path, method: method, headers: fields, body: body)
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try JSONCoding.makeDecoder().decode(T.self, from: Data(buffer: response.body))
    }

    struct TokenReply: Decodable {
        let accessToken: String, refreshToken: String, user: User
    }

    struct MeReply: Decodable {
        let user: User, memberships: [MembershipSummary]
    }

    struct ProblemReply: Decodable {
        let type: String, title: String, status: Int, detail: String?, field: String?, limit: Int?
    }

    func problem(_ response: TestResponse) throws -> ProblemReply {
        #expect(response.headers[.contentType] == "application/problem+json")
        return try decode(ProblemReply.self, response)
    }

    static let password = "correct horse battery"

    /// Signs up a new owner with their own organization.
    func signUp(_ email: String = "owner-\(RandomToken.make(length: 6))@example.com", org: String = "Acme") async throws -> Account {
        let response = try await request(.post, "/api/v1/auth/signup", json: [
            "email": email, "password": Self.password, "name": "Owner \(email)", "organization_name": org,
        ])
        #expect(response.status == .created)
        let reply = try decode(TokenReply.self, response)
        let me = try decode(MeReply.self, try await request(.get, "/api/v1/me", token: reply.accessToken))
        return Account(userID: reply.user.id, email: email, orgID: me.memberships[0].organization.id,
                       accessToken: reply.accessToken, refreshToken: reply.refreshToken)
    }

    /// Invites a new user into `owner`'s organization with `role` and returns them signed in.
    func addMember(to owner: Account, role: Role = .agent, email: String = "agent-\(RandomToken.make(length: 8))@example.com") async throws -> Account {
        struct Created: Decodable { let token: String }
        let invite = try await request(.post, "/api/v1/orgs/\(owner.orgID)/invitations", json: ["email": email, "role": role.rawValue],
                                       token: owner.accessToken)
        #expect(invite.status == .created)
        let token = try decode(Created.self, invite).token
        let accepted = try await request(.post, "/api/v1/invitations/accept", json: [
            "token": token, "name": "Agent \(email)", "password": Self.password,
        ])
        #expect(accepted.status == .created)
        let reply = try decode(TokenReply.self, accepted)
        return Account(userID: reply.user.id, email: email, orgID: owner.orgID, accessToken: reply.accessToken,
                       refreshToken: reply.refreshToken)
    }

    func createSite(_ account: Account, name: String = "Main site", origins: [String] = ["https://example.com"]) async throws -> Site {
        struct Body: Encodable, Sendable { let name: String, allowedOrigins: [String] }
        let response = try await request(.post, "/api/v1/orgs/\(account.orgID)/sites", json: Body(name: name, allowedOrigins: origins),
                                         token: account.accessToken)
        #expect(response.status == .created)
        return try decode(Site.self, response)
    }

    /// A visitor conversation on a site (the visitor API arrives with the widget; tests use the store).
    func startConversation(_ account: Account, site: Site, visitor: String = "Visitor", email: String? = nil,
                           message: String? = "Hello, I need help") async throws -> Conversation {
        let scope = try #require(try await store.operatorScope(orgID: account.orgID))
        return try await store.startConversation(scope, siteID: site.id, visitorName: visitor, visitorEmail: email, firstMessage: message)
    }

    func sendMessage(_ account: Account, _ conversation: Conversation, _ body: String, private isPrivate: Bool = false,
                     clientID: String? = nil) async throws -> TestResponse {
        struct Body: Encodable, Sendable { let body: String, `private`: Bool, clientId: String? }
        return try await request(.post, "/api/v1/orgs/\(account.orgID)/conversations/\(conversation.id)/messages",
                                 json: Body(body: body, private: isPrivate, clientId: clientID), token: account.accessToken)
    }
}
