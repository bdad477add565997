import Foundation
import HTTPTypes
import Hummingbird
import ParleyCore
import ParleyServer
import Testing

/// Every route under `/api/v1/orgs/{org}`, with a body that would succeed for a member of the
/// organization. Adding an org-scoped route means adding one line here; `routeTableMatchesRouter`
/// fails until it is added.
let orgScopedRoutes: [OrgScopedRoute] = [
    // The organization and its members
    .init(.get, "/api/v1/orgs/{org}"),
    .init(.patch, "/api/v1/orgs/{org}", body: ["name": "Renamed by an intruder"]),
    .init(.get, "/api/v1/orgs/{org}/members"),
    .init(.patch, "/api/v1/orgs/{org}/members/{user}", body: ["role": "admin"]),
    // Invitations
    .init(.get, "/api/v1/orgs/{org}/invitations"),
    .init(.post, "/api/v1/orgs/{org}/invitations", body: ["email": "intruder@intruder.example", "role": "admin"]),
    // Sites
    .init(.get, "/api/v1/orgs/{org}/sites"),
    .init(.post, "/api/v1/orgs/{org}/sites", body: ["name": "Intruder site", "allowed_origins": ["https://intruder.example"]]),
    .init(.get, "/api/v1/orgs/{org}/sites/{site}"),
    .init(.patch, "/api/v1/orgs/{org}/sites/{site}", body: ["name": "Hijacked site", "allowed_origins": ["https://intruder.example"]]),
    .init(.post, "/api/v1/orgs/{org}/sites/{site}/rotate-keys"),
    // Conversations
    .init(.get, "/api/v1/orgs/{org}/conversations"),
    .init(.get, "/api/v1/orgs/{org}/conversations/{conversation}"),
    .init(.patch, "/api/v1/orgs/{org}/conversations/{conversation}",
          body: ["status": "closed", "priority": "urgent", "labels": ["intruded"], "assignee_id": nil]),
    .init(.post, "/api/v1/orgs/{org}/conversations/{conversation}/claim"),
    // Messages and read markers
    .init(.get, "/api/v1/orgs/{org}/conversations/{conversation}/messages"),
    .init(.post, "/api/v1/orgs/{org}/conversations/{conversation}/messages", body: ["body": "intruder message", "client_id": "intruder-1"]),
    .init(.patch, "/api/v1/orgs/{org}/conversations/{conversation}/messages/{message}", body: ["body": "edited by an intruder"]),
    .init(.post, "/api/v1/orgs/{org}/conversations/{conversation}/read", body: ["seq": 1]),
    // Search
    .init(.get, "/api/v1/orgs/{org}/search", query: "q={word}"),
    // Leads and attachments
    .init(.get, "/api/v1/orgs/{org}/leads"),
    .init(.get, "/api/v1/orgs/{org}/leads.csv"),
    .init(.post, "/api/v1/orgs/{org}/conversations/{conversation}/uploads", body: ["note": "an intruder's text file"],
          query: "filename=intruder.txt"),
    .init(.get, "/api/v1/orgs/{org}/attachments/{attachment}/link"),
    // The dashboard: view counts, catalogs, the visitor panel
    .init(.get, "/api/v1/orgs/{org}/conversations/counts"),
    .init(.get, "/api/v1/orgs/{org}/canned-responses"),
    .init(.post, "/api/v1/orgs/{org}/canned-responses", body: ["shortcut": "intruder", "body": "intruder text"]),
    .init(.patch, "/api/v1/orgs/{org}/canned-responses/{response}", body: ["body": "edited by an intruder"]),
    .init(.get, "/api/v1/orgs/{org}/labels"),
    .init(.post, "/api/v1/orgs/{org}/labels", body: ["name": "intruder"]),
    .init(.patch, "/api/v1/orgs/{org}/labels/{label}", body: ["name": "intruded", "color": "#000000"]),
    .init(.get, "/api/v1/orgs/{org}/visitors/{visitor}"),
    .init(.post, "/api/v1/orgs/{org}/visitors/{visitor}/notes", body: ["body": "intruder note"]),
    // Destructive routes last, so that a broken scope shows every other failure first.
    .init(.delete, "/api/v1/orgs/{org}/conversations/{conversation}/messages/{message}"),
    .init(.delete, "/api/v1/orgs/{org}/invitations/{invitation}"),
    .init(.delete, "/api/v1/orgs/{org}/leads/{lead}"),
    .init(.delete, "/api/v1/orgs/{org}/canned-responses/{response}"),
    .init(.delete, "/api/v1/orgs/{org}/labels/{label}"),
    .init(.delete, "/api/v1/orgs/{org}/visitors/{visitor}/notes/{note}"),
    .init(.delete, "/api/v1/orgs/{org}/sites/{site}"),
    .init(.delete, "/api/v1/orgs/{org}/members/{user}"),
]

@Suite("Tenant isolation")
struct IsolationTests {
    /// How an intruder from B builds the path to A's resource.
    enum Aim: String, CaseIterable, CustomStringConvertible {
        /// Everything of A, including A's org id: the org scope must refuse.
        case victimOrg
        /// B's own org id with A's resource ids: every store query must filter by org.
        case ownOrgVictimIDs
        /// B's own org and parent resource, A's innermost id (B's conversation, A's message).
        case ownParentVictimChild

        var description: String { rawValue }

        /// The path for `route`, or nil when this aim adds nothing for it.
        func path(_ route: OrgScopedRoute, victim: TenantFixture, intruder: TenantFixture) -> String? {
            let ids = route.placeholders.filter { $0 != "org" }
            var values = victim.placeholders
            switch self {
            case .victimOrg:
                break
            case .ownOrgVictimIDs:
                guard !ids.isEmpty else { return nil }
                values["org"] = intruder.owner.orgID
            case .ownParentVictimChild:
                guard ids.count >= 2 else { return nil }
                values["org"] = intruder.owner.orgID
                for name in ids.dropLast() { values[name] = intruder.placeholders[name] }
            }
            return route.path(values, word: victim.secretWord)
        }
    }

    static let notFound = ExpectedProblem(status: .notFound, type: "urn:parley:problem:not-found")

    @Test("a member of B gets a bare 404 on every route that names A's resources, and A is untouched",
          arguments: Backend.allCases)
    func everyRouteRefusesAnotherTenant(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            // setup
            let a = try await api.tenantFixture("alpha")
            let b = try await api.tenantFixture("bravo")
            let before = try await api.snapshot(a)

            // act + check: B's owner on every aim; B's agent (weaker role) with A's org id.
            var attempts: [Aim: Int] = [:]
            for aim in Aim.allCases {
                let intruders = aim == .victimOrg ? [("owner", b.owner), ("agent", b.agent)] : [("owner", b.owner)]
                for route in orgScopedRoutes {
                    guard let path = aim.path(route, victim: a, intruder: b) else { continue }
                    for (role, intruder) in intruders {
                        let response = try await api.jsonRequest(route.method, path, route.body, token: intruder.accessToken)
                        let context = "\(route) [\(aim), B's \(role)] \(route.method) \(path)"
                        expectProblem(response, Self.notFound, context)
                        let leaks = a.leaks(in: response.text)
                        #expect(leaks.isEmpty, "\(context) leaked A's data \(leaks): \(response.text)")
                        attempts[aim, default: 0] += 1
                    }
                }
            }
            for aim in Aim.allCases {
                #expect(attempts[aim, default: 0] > 0, "no route was tried with \(aim)")
            }

            // check: nothing of A changed, and A's own requests still work.
            expectUnchanged(before, try await api.snapshot(a), "after B's attempts")
            let messages = try api.items(Message.self, try await api.request(
                .get, "/api/v1/orgs/\(a.owner.orgID)/conversations/\(a.conversation.id)/messages", token: a.owner.accessToken))
            #expect(messages.first { $0.id == a.message.id }?.body == a.message.body)
            #expect(!messages.contains { $0.body.contains("intruder") })
        }
    }

    @Test("a removed member's still-valid token gets 404 on every route of the organization at once",
          arguments: Backend.allCases)
    func removedMemberLosesAccessImmediately(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            // setup: the agent reads everything they may read while a member.
            let a = try await api.tenantFixture("alpha")
            let getRoutes = orgScopedRoutes.filter { $0.method == .get }
            for route in getRoutes {
                let response = try await api.request(.get, route.path(a.placeholders, word: a.secretWord), token: a.agent.accessToken)
                #expect(response.status != .notFound, "before removal, \(route) answered 404 to a member: \(response.text)")
            }

            // act: the owner removes the agent.
            let removed = try await api.request(.delete, "/api/v1/orgs/\(a.owner.orgID)/members/\(a.agent.userID)",
                                                token: a.owner.accessToken)
            #expect(removed.status == .noContent)
            let before = try await api.snapshot(a)

            // check: the token is still valid (no 401), but names no organization of A any more…
            let me = try await api.request(.get, "/api/v1/me", token: a.agent.accessToken)
            #expect(me.status == .ok)
            #expect(try api.decode(TestAPI.MeReply.self, me).memberships.isEmpty)
            // …and every route of A answers 404 with nothing of A in it.
            for route in orgScopedRoutes {
                let path = route.path(a.placeholders, word: a.secretWord)
                let response = try await api.jsonRequest(route.method, path, route.body, token: a.agent.accessToken)
                let context = "\(route) as the removed agent: \(route.method) \(path)"
                expectProblem(response, Self.notFound, context)
                let leaks = a.leaks(in: response.text).filter { $0 != a.agent.userID && $0 != a.agent.email }
                #expect(leaks.isEmpty, "\(context) leaked \(leaks): \(response.text)")
            }
            expectUnchanged(before, try await api.snapshot(a), "after the removed agent's attempts")
            let members = try api.decode([Member].self, try await api.request(.get, "/api/v1/orgs/\(a.owner.orgID)/members",
                                                                                token: a.owner.accessToken))
            #expect(members.map(\.userId) == [a.owner.userID])
        }
    }

    @Test("B's lists and search never include A's rows, even when filtered by A's ids, words and labels",
          arguments: Backend.allCases)
    func listsStayInsideTheTenant(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            // setup
            let a = try await api.tenantFixture("alpha")
            let b = try await api.tenantFixture("bravo")
            let bOrg = "/api/v1/orgs/\(b.owner.orgID)"

            // check: every GET route of the table, read by B on B's own org, answers 200 without a trace of A.
            for route in orgScopedRoutes where route.method == .get {
                let path = route.path(b.placeholders, word: a.secretWord)
                let response = try await api.request(.get, path, token: b.owner.accessToken)
                #expect(response.status == .ok, "\(route): \(response.text)")
                let leaks = a.leaks(in: response.text)
                #expect(leaks.isEmpty, "\(route) as B shows A's data \(leaks): \(response.text)")
            }

            // check: B's lists hold exactly B's rows.
            let members = try api.decode([Member].self, try await api.request(.get, "\(bOrg)/members", token: b.owner.accessToken))
            #expect(Set(members.map(\.userId)) == [b.owner.userID, b.agent.userID])
            let sites = try api.decode([Site].self, try await api.request(.get, "\(bOrg)/sites", token: b.owner.accessToken))
            #expect(sites.map(\.id) == [b.site.id])
            let invitations = try api.decode([Invitation].self, try await api.request(.get, "\(bOrg)/invitations", token: b.owner.accessToken))
            #expect(invitations.map(\.id) == [b.invitation.id])
            let conversations = try api.items(Conversation.self, try await api.request(.get, "\(bOrg)/conversations?limit=100",
                                                                                       token: b.owner.accessToken))
            #expect(Set(conversations.map(\.id)) == [b.conversation.id, b.assigned.id])
            let me = try api.decode(TestAPI.MeReply.self, try await api.request(.get, "/api/v1/me", token: b.owner.accessToken))
            #expect(me.memberships.map(\.organization.id) == [b.owner.orgID])

            // check: filters that find A's conversation for A find nothing for B.
            let probes: [(name: String, query: String, expected: String)] = [
                ("search A's secret word", "search?q=\(a.secretWord)", a.conversation.id),
                ("search A's visitor name", "search?q=\(a.conversation.visitor.name ?? "")", a.conversation.id),
                ("search A's visitor email", "search?q=\(a.conversation.visitor.email ?? "")", a.conversation.id),
                ("filter by A's site", "conversations?site=\(a.site.id)", a.conversation.id),
                ("filter by A's agent", "conversations?assignee=\(a.agent.userID)", a.assigned.id),
                ("filter by A's label", "conversations?label=\(a.conversationLabel)", a.assigned.id),
            ]
            for probe in probes {
                let query = probe.query.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? probe.query
                let forA = try api.items(Conversation.self, try await api.request(
                    .get, "/api/v1/orgs/\(a.owner.orgID)/\(query)", token: a.owner.accessToken))
                #expect(forA.map(\.id).contains(probe.expected), "\(probe.name): A's own request should find it")
                let response = try await api.request(.get, "\(bOrg)/\(query)", token: b.owner.accessToken)
                #expect(response.status == .ok, "\(probe.name): \(response.text)")
                #expect(try api.items(Conversation.self, response).isEmpty, "\(probe.name) as B: \(response.text)")
                #expect(a.leaks(in: response.text).isEmpty, "\(probe.name) as B leaked: \(response.text)")
            }
        }
    }

    @Test("A's ids inside B's request bodies are refused or stay B's own, never followed into A",
          arguments: Backend.allCases)
    func victimIDsInBodies(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            // setup
            let a = try await api.tenantFixture("alpha")
            let b = try await api.tenantFixture("bravo")
            let bConversation = "/api/v1/orgs/\(b.owner.orgID)/conversations/\(b.conversation.id)"

            // act + check: assigning B's conversation to A's agent is a 422 naming the field, and changes nothing.
            let before = try await api.readState(bConversation, token: b.owner.accessToken)
            let assign = try await api.jsonRequest(.patch, bConversation, ["assignee_id": .string(a.agent.userID)], token: b.owner.accessToken)
            expectProblem(assign, .init(status: .unprocessableContent, field: "assignee_id"), "assigning B's conversation to A's agent")
            #expect(a.leaks(in: assign.text).filter { $0 != a.agent.userID }.isEmpty, "leaked: \(assign.text)")
            #expect(try await api.readState(bConversation, token: b.owner.accessToken) == before)

            // act + check: a client id already used in A is a new message in B, not a replay of A's message.
            let clientID = "shared-client-id"
            let first = try await api.sendMessage(a.owner, a.conversation, "alpha text \(a.secretWord)", clientID: clientID)
            #expect(first.status == .created)
            let second = try await api.sendMessage(b.owner, b.conversation, "bravo text", clientID: clientID)
            #expect(second.status == .created, "B's send with A's client id: \(second.text)")
            let message = try api.decode(Message.self, second)
            #expect(message.conversationId == b.conversation.id)
            #expect(message.body == "bravo text")
            #expect(a.leaks(in: second.text).isEmpty, "leaked: \(second.text)")
        }
    }

    @Test("the route table lists exactly the router's org-scoped routes")
    func routeTableMatchesRouter() async throws {
        try await withParley(.sqlite) { api in
            let router = buildRouter(services: api.runtime.services, migrator: api.runtime.migrator)
            let registered = Set(router.routes.map { "\($0.method) \($0.path)" }.filter { $0.contains(" /api/v1/orgs/") })
            let listed = Set(orgScopedRoutes.map(\.description))
            #expect(!registered.isEmpty, "the router lists no org-scoped routes; has the prefix changed?")
            #expect(listed.count == orgScopedRoutes.count, "the route table has duplicates")
            let missing = registered.subtracting(listed).sorted()
            #expect(missing.isEmpty, "org-scoped routes missing from orgScopedRoutes in IsolationTests.swift: \(missing)")
            let stale = listed.subtracting(registered).sorted()
            #expect(stale.isEmpty, "orgScopedRoutes names routes the router does not have: \(stale)")
        }
    }
}
