import Foundation
import ParleyCore
import Testing

@Suite("Members and invitations")
struct MemberTests {
    @Test("an invitation joins the invitee with its role, once", arguments: Backend.allCases)
    func invitationFlow(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            struct Created: Decodable { let token: String, invitation: Invitation }
            let created = try api.decode(Created.self, try await api.request(
                .post, "/api/v1/orgs/\(owner.orgID)/invitations", json: ["email": "New@Example.com", "role": "admin"], token: owner.accessToken))
            #expect(created.invitation.email == "new@example.com")
            let pending = try api.decode([Invitation].self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/invitations", token: owner.accessToken))
            #expect(pending.map(\.id) == [created.invitation.id])

            let accepted = try await api.request(.post, "/api/v1/invitations/accept", json: [
                "token": created.token, "name": "Newbie", "password": TestAPI.password,
            ])
            #expect(accepted.status == .created)
            let members = try api.decode([Member].self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/members", token: owner.accessToken))
            #expect(members.first(where: { $0.email == "new@example.com" })?.role == .admin)
            let again = try await api.request(.post, "/api/v1/invitations/accept", json: [
                "token": created.token, "name": "Twice", "password": TestAPI.password,
            ])
            #expect(again.status == .notFound)
        }
    }

    @Test("an existing user accepts while signed in, only with the invited email", arguments: Backend.allCases)
    func existingUserAccepts(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let other = try await api.signUp("already@example.com", org: "Elsewhere")
            let wrong = try await api.signUp("wrong@example.com", org: "Third")
            struct Created: Decodable { let token: String }
            let token = try api.decode(Created.self, try await api.request(
                .post, "/api/v1/orgs/\(owner.orgID)/invitations", json: ["email": "already@example.com", "role": "agent"],
                token: owner.accessToken)).token
            let refused = try await api.request(.post, "/api/v1/me/invitations/accept", json: ["token": token], token: wrong.accessToken)
            #expect(refused.status == .notFound)
            let joined = try await api.request(.post, "/api/v1/me/invitations/accept", json: ["token": token], token: other.accessToken)
            #expect(joined.status == .ok)
            let me = try api.decode(TestAPI.MeReply.self, try await api.request(.get, "/api/v1/me", token: other.accessToken))
            #expect(Set(me.memberships.map(\.organization.id)) == [other.orgID, owner.orgID])
        }
    }

    @Test("expired and revoked invitations can't be accepted", arguments: Backend.allCases)
    func expiredAndRevoked(_ backend: Backend) async throws {
        let clock = ManualClock()
        try await withParley(backend, clock: clock) { api in
            let owner = try await api.signUp()
            struct Created: Decodable { let token: String, invitation: Invitation }
            func invite(_ email: String) async throws -> Created {
                try api.decode(Created.self, try await api.request(
                    .post, "/api/v1/orgs/\(owner.orgID)/invitations", json: ["email": email, "role": "agent"], token: owner.accessToken))
            }
            let revoked = try await invite("r@example.com")
            #expect(try await api.request(.delete, "/api/v1/orgs/\(owner.orgID)/invitations/\(revoked.invitation.id)",
                                          token: owner.accessToken).status == .noContent)
            let accept = { (token: String) in
                try await api.request(.post, "/api/v1/invitations/accept", json: ["token": token, "name": "N", "password": TestAPI.password])
            }
            #expect(try await accept(revoked.token).status == .notFound)
            let expiring = try await invite("e@example.com")
            clock.advance(by: api.runtime.services.config.invitationTTL + 1)
            #expect(try await accept(expiring.token).status == .notFound)
        }
    }

    @Test("role rules: admins can't touch owners or grant ownership; the last owner stays", arguments: Backend.allCases)
    func roleRules(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let admin = try await api.addMember(to: owner, role: .admin)
            let agent = try await api.addMember(to: owner, role: .agent)
            let members = "/api/v1/orgs/\(owner.orgID)/members"

            #expect(try await api.request(.patch, "\(members)/\(owner.userID)", json: ["role": "agent"], token: admin.accessToken).status == .forbidden)
            #expect(try await api.request(.patch, "\(members)/\(agent.userID)", json: ["role": "owner"], token: admin.accessToken).status == .forbidden)
            #expect(try await api.request(.patch, "\(members)/\(agent.userID)", json: ["role": "admin"], token: agent.accessToken).status == .forbidden)
            let promoted = try await api.request(.patch, "\(members)/\(agent.userID)", json: ["role": "admin"], token: admin.accessToken)
            #expect(try api.decode(Member.self, promoted).role == .admin)

            let demoteLast = try await api.request(.patch, "\(members)/\(owner.userID)", json: ["role": "admin"], token: owner.accessToken)
            #expect(demoteLast.status == .conflict)
            #expect(try await api.request(.delete, "\(members)/\(owner.userID)", token: owner.accessToken).status == .conflict)
            #expect(try await api.request(.post, "/api/v1/orgs/\(owner.orgID)/invitations", json: ["email": "x@example.com", "role": "owner"],
                                          token: admin.accessToken).status == .forbidden)
        }
    }

    @Test("a removed member loses access at once and their assignments are released, announced to open inboxes", arguments: Backend.allCases)
    func removal(_ backend: Backend) async throws {
        try await withParley(backend) { api in
            let owner = try await api.signUp()
            let agent = try await api.addMember(to: owner)
            let conversation = try await api.startConversation(owner, site: try await api.createSite(owner))
            let claim = "/api/v1/orgs/\(owner.orgID)/conversations/\(conversation.id)/claim"
            #expect(try await api.request(.post, claim, token: agent.accessToken).status == .ok)
            #expect(try await api.request(.delete, "/api/v1/orgs/\(owner.orgID)/members/\(agent.userID)", token: owner.accessToken).status == .noContent)
            #expect(try await api.request(.get, "/api/v1/orgs/\(owner.orgID)/conversations", token: agent.accessToken).status == .notFound)
            let released = try api.decode(Conversation.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/conversations/\(conversation.id)", token: owner.accessToken))
            #expect(released.assigneeId == nil)
            let scope = try #require(try await api.store.operatorScope(orgID: owner.orgID))
            let announced = try await api.store.events(scope, conversationID: conversation.id, afterSeq: conversation.seq + 1)
            #expect(announced.map(\.type) == ["conversation.updated"])
            #expect(announced.first?.seq == released.seq)
            #expect(announced.first?.payload.contains(#""assignee_id":null"#) == true)
        }
    }
}
