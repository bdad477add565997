import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import ParleyCore
import SQLKit
import Testing

/// The REST routes the dashboard adds: canned responses, the label catalog, inbox view counts, and
/// the visitor panel (profile, hints, attributes, notes).
@Suite("Dashboard API")
struct DashboardAPITests {
    @Test("canned responses: members read them, owners and admins write them; shortcuts are unique words", arguments: Backend.allCases)
    func cannedResponses(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let admin = try await api.addMember(to: owner, role: .admin)
            let agent = try await api.addMember(to: owner, role: .agent)
            let path = "/api/v1/orgs/\(owner.orgID)/canned-responses"

            let created = try await api.jsonRequest(.post, path, ["shortcut": "Refund", "body": "We refund within <b>14</b> days.\nThanks!"],
                                                    token: admin.accessToken)
            #expect(created.status == .created, "\(created.text)")
            let refund = try api.decode(CannedResponse.self, created)
            #expect(refund.shortcut == "refund" && refund.body == "We refund within <b>14</b> days.\nThanks!")
            let byAgent = try await api.jsonRequest(.post, path, ["shortcut": "mine", "body": "x"], token: agent.accessToken)
            #expect(byAgent.status == .forbidden)
            #expect(try await api.jsonRequest(.post, path, ["shortcut": "REFUND", "body": "again"], token: owner.accessToken).status == .conflict)
            for bad: TestJSON in [["shortcut": "two words", "body": "x"], ["shortcut": "", "body": "x"],
                                  ["shortcut": .string(String(repeating: "a", count: 33)), "body": "x"], ["shortcut": "ok", "body": ""],
                                  ["shortcut": "ok", "body": .string(String(repeating: "b", count: 5_001))], ["shortcut": 7, "body": "x"]] {
                let refused = try await api.jsonRequest(.post, path, bad, token: owner.accessToken)
                #expect(refused.status == .unprocessableContent || refused.status == .badRequest, "\(bad.text) -> \(refused.text)")
            }
            _ = try await api.jsonRequest(.post, path, ["shortcut": "hello", "body": "Hi there!"], token: owner.accessToken)

            let listed = try api.items(CannedResponse.self, try await api.request(.get, path, token: agent.accessToken))
            #expect(listed.map(\.shortcut) == ["hello", "refund"], "sorted by shortcut, readable by agents")

            let item = "\(path)/\(refund.id)"
            #expect(try await api.jsonRequest(.patch, item, ["body": "changed"], token: agent.accessToken).status == .forbidden)
            let renamed = try await api.jsonRequest(.patch, item, ["shortcut": "refunds"], token: owner.accessToken)
            #expect(try api.decode(CannedResponse.self, renamed).shortcut == "refunds")
            #expect(try api.decode(CannedResponse.self, renamed).body == refund.body, "a partial update keeps the body")
            #expect(try await api.jsonRequest(.patch, item, ["shortcut": "hello"], token: owner.accessToken).status == .conflict)
            #expect(try await api.request(.delete, item, token: agent.accessToken).status == .forbidden)
            #expect(try await api.request(.delete, item, token: owner.accessToken).status == .noContent)
            #expect(try await api.request(.delete, item, token: owner.accessToken).status == .notFound)
            let left = try api.items(CannedResponse.self, try await api.request(.get, path, token: owner.accessToken))
            #expect(left.map(\.shortcut) == ["hello"])
        }
    }

    @Test("the label catalog: names normalized like conversation labels, colours checked, unique per organization",
          arguments: Backend.allCases)
    func labels(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let agent = try await api.addMember(to: owner, role: .agent)
            let other = try await api.signUp(org: "Other")
            let path = "/api/v1/orgs/\(owner.orgID)/labels"

            let billing = try api.decode(LabelDefinition.self, try await api.jsonRequest(
                .post, path, ["name": "  Billing ", "color": "#D97706"], token: owner.accessToken))
            #expect(billing.name == "billing" && billing.color == "#d97706")
            let plain = try api.decode(LabelDefinition.self, try await api.jsonRequest(.post, path, ["name": "vip"], token: owner.accessToken))
            #expect(plain.color == LabelDefinition.defaultColor)
            #expect(try await api.jsonRequest(.post, path, ["name": "BILLING"], token: owner.accessToken).status == .conflict)
            let badColor = try await api.jsonRequest(.post, path, ["name": "x", "color": "red"], token: owner.accessToken)
            #expect(try api.problem(badColor).field == "color")
            #expect(try await api.jsonRequest(.post, path, ["name": "x"], token: agent.accessToken).status == .forbidden)
            // Another organization may use the same name.
            #expect(try await api.jsonRequest(.post, "/api/v1/orgs/\(other.orgID)/labels", ["name": "billing"],
                                              token: other.accessToken).status == .created)

            let recoloured = try await api.jsonRequest(.patch, "\(path)/\(billing.id)", ["color": "#0000ff"], token: owner.accessToken)
            #expect(try api.decode(LabelDefinition.self, recoloured).name == "billing")
            #expect(try api.problem(try await api.jsonRequest(.patch, "\(path)/\(billing.id)", ["color": "#12345g"],
                                                               token: owner.accessToken)).field == "color")
            let listed = try api.items(LabelDefinition.self, try await api.request(.get, path, token: agent.accessToken))
            #expect(listed.map(\.name) == ["billing", "vip"] && listed[0].color == "#0000ff")
            #expect(try await api.request(.delete, "\(path)/\(plain.id)", token: owner.accessToken).status == .noContent)
            #expect(try api.items(LabelDefinition.self, try await api.request(.get, path, token: owner.accessToken)).map(\.name) == ["billing"])
        }
    }

    @Test("view counts follow assignment and the list's filters, per member", arguments: Backend.allCases)
    func counts(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let agent = try await api.addMember(to: owner, role: .agent)
            let site = try await api.createSite(owner)
            let org = "/api/v1/orgs/\(owner.orgID)"
            var conversations: [Conversation] = []
            for index in 0..<4 {
                conversations.append(try await api.startConversation(owner, site: site, visitor: "V\(index)", message: "hello \(index)"))
            }
            _ = try await api.jsonRequest(.patch, "\(org)/conversations/\(conversations[0].id)", ["assignee_id": .string(agent.userID)],
                                          token: owner.accessToken)
            _ = try await api.jsonRequest(.patch, "\(org)/conversations/\(conversations[1].id)",
                                          ["assignee_id": .string(owner.userID), "status": "pending", "labels": ["billing"]],
                                          token: owner.accessToken)

            func counts(_ account: Account, _ query: String = "") async throws -> InboxCounts {
                try api.decode(InboxCounts.self, try await api.request(.get, "\(org)/conversations/counts\(query)", token: account.accessToken))
            }
            #expect(try await counts(owner) == InboxCounts(mine: 1, unassigned: 2, all: 4))
            #expect(try await counts(agent) == InboxCounts(mine: 1, unassigned: 2, all: 4))
            #expect(try await counts(owner, "?status=open") == InboxCounts(mine: 0, unassigned: 2, all: 3))
            #expect(try await counts(agent, "?status=pending") == InboxCounts(mine: 0, unassigned: 0, all: 1))
            #expect(try await counts(owner, "?label=Billing&assignee=unassigned") == InboxCounts(mine: 1, unassigned: 0, all: 1),
                    "the assignee filter is ignored: the views are the assignee choices")
            let bad = try await api.request(.get, "\(org)/conversations/counts?status=nonsense", token: owner.accessToken)
            #expect(try api.problem(bad).field == "status")
        }
    }

    @Test("the visitor panel: hints from the widget session, attributes from identify, presence, conversations and CSAT",
          arguments: Backend.allCases)
    func visitorProfile(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let started = try await api.request(.post, "/api/v1/widget/\(site.siteKey)/sessions",
                                                json: ["locale": "de-DE", "timezone": "Europe/Berlin"],
                                                headers: [.origin: TestAPI.siteOrigin, .userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0"])
            #expect(started.status == .created, "\(started.text)")
            let session = try api.decode(VisitorSession.self, started)
            let identified = try await api.widgetJSON(site, "identify", as: session, TestJSON.object([
                ("id", "customer-42"), ("name", "Ann <script>"),
                ("attributes", .object([("plan", "pro"), ("seats", 12), ("trial", false), ("ratio", .literal("1.5"))])),
            ]))
            #expect(identified.status == .ok, "\(identified.text)")
            let message = try await api.visitorSend(site, session, "Hello from the panel test")

            let path = "/api/v1/orgs/\(owner.orgID)/visitors/\(session.visitorId)"
            let profile = try api.decode(VisitorProfile.self, try await api.request(.get, path, token: owner.accessToken))
            // Without the site's hash the claim only names the visitor: the external id is not theirs.
            #expect(profile.visitor.name == "Ann <script>" && profile.visitor.externalId == nil && !profile.visitor.verified)
            #expect(profile.visitor.attributes == ["plan": "pro", "seats": "12", "trial": "false", "ratio": "1.5"])
            #expect(profile.visitor.locale == "de-DE" && profile.visitor.timezone == "Europe/Berlin")
            #expect(profile.visitor.userAgent == "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0")
            #expect(profile.visitor.siteId == site.id)
            #expect(profile.conversations.map(\.id) == [message.conversationId])
            #expect(profile.conversations.first?.lastMessage?.body == "Hello from the panel test")
            #expect(!profile.online && profile.page == nil, "no socket is open")

            // Coming back with the anonymous token updates the hints it sends and keeps the others.
            let resumed = try await api.request(.post, "/api/v1/widget/\(site.siteKey)/sessions",
                                                json: ["anonymous_token": session.anonymousToken, "timezone": "America/New_York"],
                                                headers: [.origin: TestAPI.siteOrigin])
            #expect(try api.decode(VisitorSession.self, resumed).visitorId == session.visitorId, "\(resumed.text)")
            let rehinted = try api.decode(VisitorProfile.self, try await api.request(.get, path, token: owner.accessToken))
            #expect(rehinted.visitor.timezone == "America/New_York" && rehinted.visitor.locale == "de-DE")

            // A later identify merges attributes: a key sent again changes, the others stay.
            _ = try await api.widgetJSON(site, "identify", as: session, ["id": "customer-42", "attributes": ["plan": "enterprise"]])
            let merged = try api.decode(VisitorProfile.self, try await api.request(.get, path, token: owner.accessToken))
            #expect(merged.visitor.attributes["plan"] == "enterprise" && merged.visitor.attributes["seats"] == "12")

            // A resolved conversation's rating shows in the panel.
            _ = try await api.jsonRequest(.patch, "/api/v1/orgs/\(owner.orgID)/conversations/\(message.conversationId)",
                                          ["status": "resolved"], token: owner.accessToken)
            let rated = try await api.widgetJSON(site, "rating", as: session, TestJSON.object([("conversation_id", .string(message.conversationId)), ("score", 5), ("comment", "Great")]))
            #expect(rated.status == .created, "\(rated.text)")
            let afterRating = try api.decode(VisitorProfile.self, try await api.request(.get, path, token: owner.accessToken))
            #expect(afterRating.conversations.first?.rating?.score == 5)

            #expect(try await api.request(.get, "/api/v1/orgs/\(owner.orgID)/visitors/vis_nobody", token: owner.accessToken).status == .notFound)
        }
    }

    @Test("hints and attributes are checked: malformed ones get a 422 naming the field and change nothing", arguments: Backend.allCases)
    func hintAndAttributeValidation(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            for (body, field) in [(["locale": "de DE<script>"], "locale"), (["timezone": "../../etc/passwd\u{7}"], "timezone")] as [([String: String], String)] {
                let refused = try await api.request(.post, "/api/v1/widget/\(site.siteKey)/sessions", json: body,
                                                    headers: [.origin: TestAPI.siteOrigin])
                #expect(try api.problem(refused).field == field, "\(body): \(refused.text)")
            }
            let session = try await api.visitorSession(site)
            func visitorCount() async throws -> Int {
                try await api.runtime.engine.read { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM visitors WHERE org_id = \(bind: owner.orgID)").first(decodingColumn: "n", as: Int.self) ?? -1
                }
            }
            let visitorsBefore = try await visitorCount()
            _ = try await api.request(.post, "/api/v1/widget/\(site.siteKey)/sessions", json: ["locale": "x"],
                                      headers: [.origin: TestAPI.siteOrigin])
            #expect(try await visitorCount() == visitorsBefore, "a refused session start creates no visitor")
            _ = try await api.widgetJSON(site, "identify", as: session, ["id": "c-1", "attributes": ["plan": "pro"]])
            let tooMany = TestJSON.object((0...VisitorAttributes.maxCount).map { ("k\($0)", TestJSON.string("v")) })
            for (attributes, field) in [(TestJSON.object([("bad key", "x")]), "attributes"), (tooMany, "attributes"),
                                        (.object([("nested", ["a": "b"])]), nil as String?),
                                        (.object([("long", .string(String(repeating: "x", count: 501)))]), "attributes.long")] {
                let refused = try await api.widgetJSON(site, "identify", as: session, ["id": "c-1", "attributes": attributes])
                #expect(refused.status == .unprocessableContent || refused.status == .badRequest, "\(attributes.text): \(refused.text)")
                if let field { #expect(try api.problem(refused).field == field, "\(attributes.text)") }
            }
            let profile = try api.decode(VisitorProfile.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/visitors/\(session.visitorId)", token: owner.accessToken))
            #expect(profile.visitor.attributes == ["plan": "pro"], "refused attributes changed nothing")
        }
    }

    @Test("notes on a visitor: any member adds one; its author or an admin deletes it", arguments: Backend.allCases)
    func visitorNotes(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let agent = try await api.addMember(to: owner, role: .agent)
            let colleague = try await api.addMember(to: owner, role: .agent)
            let site = try await api.createSite(owner)
            let conversation = try await api.startConversation(owner, site: site, message: "hi")
            let notes = "/api/v1/orgs/\(owner.orgID)/visitors/\(conversation.visitor.id)/notes"

            let added = try await api.jsonRequest(.post, notes, ["body": "VIP <img src=x onerror=alert(1)>\nsecond line"], token: agent.accessToken)
            #expect(added.status == .created, "\(added.text)")
            let note = try api.decode(VisitorNote.self, added)
            api.clock.advance(by: 1)
            #expect(note.authorId == agent.userID && note.body == "VIP <img src=x onerror=alert(1)>\nsecond line" && note.authorName != nil)
            let second = try api.decode(VisitorNote.self, try await api.jsonRequest(.post, notes, ["body": "owner's note"], token: owner.accessToken))
            #expect(try api.problem(try await api.jsonRequest(.post, notes, ["body": "  "], token: agent.accessToken)).field == "body")
            #expect(try await api.jsonRequest(.post, "/api/v1/orgs/\(owner.orgID)/visitors/vis_nobody/notes", ["body": "x"],
                                              token: agent.accessToken).status == .notFound)

            let profilePath = "/api/v1/orgs/\(owner.orgID)/visitors/\(conversation.visitor.id)"
            let shown = try api.decode(VisitorProfile.self, try await api.request(.get, profilePath, token: colleague.accessToken))
            #expect(shown.notes.map(\.id) == [second.id, note.id], "newest first")

            #expect(try await api.request(.delete, "\(notes)/\(note.id)", token: colleague.accessToken).status == .forbidden)
            #expect(try await api.request(.delete, "\(notes)/\(second.id)", token: agent.accessToken).status == .forbidden)
            #expect(try await api.request(.delete, "\(notes)/\(note.id)", token: agent.accessToken).status == .noContent)
            #expect(try await api.request(.delete, "\(notes)/\(second.id)", token: owner.accessToken).status == .noContent)
            let after = try api.decode(VisitorProfile.self, try await api.request(.get, profilePath, token: owner.accessToken))
            #expect(after.notes.isEmpty)
        }
    }
}

extension TestAPI {
    /// POSTs a hand-written JSON body to a widget route as the visitor, from the test sites' origin.
    fileprivate func widgetJSON(_ site: Site, _ path: String, as session: VisitorSession, _ body: TestJSON) async throws -> TestResponse {
        try await request(.post, "/api/v1/widget/\(site.siteKey)/\(path)", raw: ByteBuffer(bytes: body.bytes), token: session.visitorToken,
                          headers: [.origin: Self.siteOrigin, .contentType: "application/json"])
    }
}
