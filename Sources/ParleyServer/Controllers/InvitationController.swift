import Foundation
import Hummingbird
import ParleyCore
import ParleyStore

/// Invitations: managed under an organization, accepted by the invitee with the token they received.
struct InvitationController {
    let services: ParleyServices

    struct CreateRequest: Decodable {
        let email: String, role: Role
    }

    /// The token is returned once, to the inviter, to pass on (Parley does not send email yet).
    struct Created: Encodable, Sendable {
        let invitation: Invitation, token: String
    }

    struct AcceptAsNewUser: Decodable {
        let token: String, name: String, password: String
    }

    struct AcceptAsMember: Decodable {
        let token: String
    }

    func addOrganizationRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.get("invitations", use: list)
        group.post("invitations", use: create)
        group.delete("invitations/:invitation", use: revoke)
    }

    func addPublicRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.post("invitations/accept", use: acceptAsNewUser)
    }

    func addAuthenticatedRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.post("me/invitations/accept", use: acceptAsMember)
    }

    @Sendable func list(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<[Invitation]> {
        JSONResponse(try await services.store.invitations(try context.requireScope()))
    }

    @Sendable func create(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Created> {
        let scope = try context.requireScope()
        let body = try await request.decodeJSON(CreateRequest.self, limit: services.config.maxBodyBytes)
        let email = try Email.normalize(body.email)
        let token = "inv_" + RandomToken.make()
        let invitation = try await services.store.createInvitation(
            scope, email: email, role: body.role, tokenHash: TokenService.hash(token),
            expiresAt: services.clock.now().addingTimeInterval(services.config.invitationTTL))
        return JSONResponse(Created(invitation: invitation, token: token), status: .created)
    }

    @Sendable func revoke(_ request: Request, context: ParleyRequestContext) async throws -> NoContent {
        let id = try context.parameters.require("invitation")
        try await services.store.revokeInvitation(try context.requireScope(), id: id)
        return NoContent()
    }

    /// Creates the invitee's account (with the invited email) and joins them; returns a session.
    @Sendable func acceptAsNewUser(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<TokenPair> {
        let body = try await request.decodeJSON(AcceptAsNewUser.self, limit: services.config.maxBodyBytes)
        let name = try Rules.name().check(body.name)
        try PasswordPolicy.check(body.password)
        let passwordHash = try await services.passwords.hash(body.password)
        let user: User
        do {
            user = try await services.store.acceptInvitationAsNewUser(tokenHash: TokenService.hash(body.token), name: name,
                                                                      passwordHash: passwordHash)
        } catch StoreError.conflict {
            throw Problem.conflict("an account with this email exists; log in and accept at /api/v1/me/invitations/accept")
        }
        return JSONResponse(try await services.startSession(for: user), status: .created)
    }

    /// Joins an existing, signed-in user whose email is the invited one.
    @Sendable func acceptAsMember(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<MembershipSummary> {
        let identity = try context.requireIdentity()
        let body = try await request.decodeJSON(AcceptAsMember.self, limit: services.config.maxBodyBytes)
        let hash = TokenService.hash(body.token)
        guard let pending = try await services.store.pendingInvitation(tokenHash: hash),
            let user = try await services.store.credentials(userID: identity.userID)?.user
        else { throw Problem.notFound("invitation") }
        // Someone else's invitation is "not found": a token must not confirm it exists to the wrong person.
        guard pending.invitation.email == user.email else { throw Problem.notFound("invitation") }
        return JSONResponse(try await services.store.acceptInvitation(tokenHash: hash, userID: user.id))
    }
}
