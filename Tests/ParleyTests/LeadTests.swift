import Foundation
import HTTPTypes
import HummingbirdTesting
import ParleyCore
import Testing

@Suite("Leads")
struct LeadTests {
    @Test("pre-chat forms need the site's required fields, name the visitor and create a lead; offline forms need email and message",
          arguments: Backend.allCases)
    func forms(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            try await api.patchWidget(owner, site, ["prechat": ["enabled": true, "fields": [
                ["name": "name", "label": "Name", "type": "text", "required": true],
                ["name": "email", "label": "Email", "type": "email", "required": true],
                ["name": "order", "label": "Order", "type": "text", "required": false],
            ]]])
            let visitor = try await api.visitorSession(site)

            let missing = try await api.widget(.post, site, "leads", as: visitor, json: ["source": "prechat", "email": "ann@example.com"])
            #expect(missing.status == .unprocessableContent)
            #expect(try api.problem(missing).field == "name")
            let unknown = try await api.widget(.post, site, "leads", as: visitor, json: LeadBody(
                source: "prechat", name: "Ann", email: "ann@example.com", fields: ["is_admin": "yes"]))
            #expect(try api.problem(unknown).field == "fields.is_admin")
            let badEmail = try await api.widget(.post, site, "leads", as: visitor, json: ["source": "prechat", "name": "Ann", "email": "not-an-email"])
            #expect(try api.problem(badEmail).field == "email")

            let created = try await api.widget(.post, site, "leads", as: visitor, json: LeadBody(
                source: "prechat", name: "Ann", email: "Ann@Example.com", fields: ["order": "4711"]))
            #expect(created.status == .created, "\(created.text)")
            let lead = try api.decode(Lead.self, created)
            #expect(lead.email == "ann@example.com" && lead.fields == ["order": "4711"] && lead.visitorId == visitor.visitorId)

            // The visitor's conversation shows the name the form gave.
            let message = try await api.visitorSend(site, visitor, "Where is my order?")
            let conversation = try api.decode(Conversation.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/conversations/\(message.conversationId)", token: owner.accessToken))
            #expect(conversation.visitor.name == "Ann" && conversation.visitor.email == "ann@example.com")

            let offlineWithoutEmail = try await api.widget(.post, site, "leads", as: visitor, json: ["source": "offline", "message": "Call me"])
            #expect(try api.problem(offlineWithoutEmail).field == "email")
            let offline = try await api.widget(.post, site, "leads", as: visitor, json: ["source": "offline", "email": "bob@example.com",
                                                                                          "message": "Call me back"])
            #expect(offline.status == .created)
            let unauthenticated = try await api.widget(.post, site, "leads", json: ["source": "offline", "email": "x@example.com", "message": "x"])
            #expect(unauthenticated.status == .unauthorized)
        }
    }

    @Test("members list leads with filters and cursors, export CSV safely, and admins delete; other organizations see none",
          arguments: Backend.allCases)
    func listing(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let agent = try await api.addMember(to: owner, role: .agent)
            let main = try await api.createSite(owner)
            let second = try await api.createSite(owner, name: "Second")
            var ids: [String] = []
            for index in 0..<5 {
                let site = index.isMultiple(of: 2) ? main : second
                let visitor = try await api.visitorSession(site)
                let lead = try api.decode(Lead.self, try await api.widget(.post, site, "leads", as: visitor, json: [
                    "source": "offline", "email": "person\(index)@example.com", "name": index == 4 ? "=HYPERLINK(\"http://evil\")" : "Person \(index)",
                    "message": "line one\nline \"two\", with a comma",
                ]))
                ids.append(lead.id)
                api.clock.advance(by: 1)
            }
            let org = "/api/v1/orgs/\(owner.orgID)"

            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try api.decode(Page<Lead>.self, try await api.request(
                    .get, "\(org)/leads?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: agent.accessToken))
                seen += page.items.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == ids.reversed(), "newest first, every lead once across pages")

            let bySite = try api.decode(Page<Lead>.self, try await api.request(.get, "\(org)/leads?site=\(second.id)", token: agent.accessToken))
            #expect(Set(bySite.items.map(\.id)) == [ids[1], ids[3]])
            let byText = try api.decode(Page<Lead>.self, try await api.request(.get, "\(org)/leads?q=PERSON2", token: agent.accessToken))
            #expect(byText.items.map(\.id) == [ids[2]])
            let prechat = try api.decode(Page<Lead>.self, try await api.request(.get, "\(org)/leads?source=prechat", token: agent.accessToken))
            #expect(prechat.items.isEmpty)
            let badCursor = try await api.request(.get, "\(org)/leads?cursor=nonsense", token: agent.accessToken)
            #expect(try api.problem(badCursor).field == "cursor")
            let badDate = try await api.request(.get, "\(org)/leads?from=yesterday", token: agent.accessToken)
            #expect(try api.problem(badDate).field == "from")

            let csv = try await api.request(.get, "\(org)/leads.csv", token: agent.accessToken)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let text = csv.text
            #expect(text.hasPrefix("id,created_at,source,site_id,visitor_id,name,email,message\r\n"))
            #expect(text.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), "formulas are defused and quotes doubled: \(text)")
            #expect(text.contains("\"line one\nline \"\"two\"\", with a comma\""))
            #expect(text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 6)

            let stranger = try await api.signUp(org: "Stranger")
            let strangerList = try await api.request(.get, "/api/v1/orgs/\(stranger.orgID)/leads", token: stranger.accessToken)
            #expect(try api.decode(Page<Lead>.self, strangerList).items.isEmpty)
            #expect(try await api.request(.delete, "/api/v1/orgs/\(stranger.orgID)/leads/\(ids[0])", token: stranger.accessToken).status == .notFound)

            #expect(try await api.request(.delete, "\(org)/leads/\(ids[0])", token: agent.accessToken).status == .forbidden)
            #expect(try await api.request(.delete, "\(org)/leads/\(ids[0])", token: owner.accessToken).status == .noContent)
            let after = try api.decode(Page<Lead>.self, try await api.request(.get, "\(org)/leads?limit=100", token: owner.accessToken))
            #expect(after.items.map(\.id) == ids.dropFirst().reversed())
        }
    }
}

private struct LeadBody: Encodable, Sendable {
    let source: String
    let name: String
    let email: String
    let fields: [String: String]
}
