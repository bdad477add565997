import Foundation
import Hummingbird
import ParleyCore
import ParleyStore

/// The signed-in user's own account: profile and organizations, password, two-factor.
struct MeController {
    let services: ParleyServices

    struct MeResponse: Encodable, Sendable {
        let user: User
        let memberships: [MembershipSummary]
    }

    struct PasswordChange: Decodable {
        let currentPassword: String, newPassword: String
    }

    /// `secret` is the key as the server keeps it; `manual_entry_key` is the same key as
    /// authenticator apps take it when typed in (base32).
    struct TOTPSetup: Encodable, Sendable {
        let secret: String, manualEntryKey: String, otpauthUrl: String
    }

    struct TOTPCode: Decodable {
        let code: String
    }

    func addRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.get(use: me)
        group.post("password", use: changePassword)
        group.post("totp/setup", use: setUpTOTP)
        group.post("totp/enable", use: enableTOTP)
        group.post("totp/disable", use: disableTOTP)
    }

    @Sendable func me(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<MeResponse> {
        let credentials = try await currentCredentials(context)
        let memberships = try await services.store.memberships(userID: credentials.user.id)
        return JSONResponse(MeResponse(user: credentials.user, memberships: memberships))
    }

    /// Changes the password and signs out every session, this one included.
    @Sendable func changePassword(_ request: Request, context: ParleyRequestContext) async throws -> NoContent {
        let body = try await request.decodeJSON(PasswordChange.self, limit: services.config.maxBodyBytes)
        let credentials = try await currentCredentials(context)
        guard try await services.passwords.verify(body.currentPassword, hash: credentials.passwordHash) else {
            throw Problem.validation(ValidationError(field: "current_password", reason: "is wrong"))
        }
        try PasswordPolicy.check(body.newPassword, field: "new_password")
        let hash = try await services.passwords.hash(body.newPassword)
        try await services.store.setPasswordHash(userID: credentials.user.id, hash: hash)
        try await services.store.revokeAllSessions(userID: credentials.user.id, reason: "password changed")
        return NoContent()
    }

    /// Generates a secret for the user's authenticator app; two-factor is on only after `enable`.
    @Sendable func setUpTOTP(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<TOTPSetup> {
        let credentials = try await currentCredentials(context)
        guard !credentials.user.totpEnabled else { throw Problem.conflict("two-factor authentication is already enabled") }
        let secret = TOTPVerifier.newSecret()
        try await services.store.setPendingTOTPSecret(userID: credentials.user.id, secret: secret)
        return JSONResponse(TOTPSetup(secret: secret, manualEntryKey: TOTPVerifier.manualEntryKey(secret: secret),
                                      otpauthUrl: TOTPVerifier.authenticatorURL(secret: secret, email: credentials.user.email)))
    }

    @Sendable func enableTOTP(_ request: Request, context: ParleyRequestContext) async throws -> NoContent {
        let body = try await request.decodeJSON(TOTPCode.self, limit: services.config.maxBodyBytes)
        let credentials = try await currentCredentials(context)
        guard let secret = credentials.totpSecret, !credentials.user.totpEnabled else {
            throw Problem.conflict("call /api/v1/me/totp/setup first")
        }
        try await claimCode(body.code, secret: secret, userID: credentials.user.id)
        try await services.store.setTOTPEnabled(userID: credentials.user.id, enabled: true)
        return NoContent()
    }

    @Sendable func disableTOTP(_ request: Request, context: ParleyRequestContext) async throws -> NoContent {
        let body = try await request.decodeJSON(TOTPCode.self, limit: services.config.maxBodyBytes)
        let credentials = try await currentCredentials(context)
        guard let secret = credentials.totpSecret, credentials.user.totpEnabled else {
            throw Problem.conflict("two-factor authentication is not enabled")
        }
        try await claimCode(body.code, secret: secret, userID: credentials.user.id)
        try await services.store.setTOTPEnabled(userID: credentials.user.id, enabled: false)
        return NoContent()
    }

    /// Accepts the current code of the user's authenticator, once.
    private func claimCode(_ code: String, secret: String, userID: String) async throws {
        guard let step = TOTPVerifier.matchingStep(code: code, secret: secret, at: services.clock.now()) else {
            throw Problem.validation(ValidationError(field: "code", reason: "is not the current code of your authenticator"))
        }
        guard try await services.store.claimTOTPStep(userID: userID, step: step) else {
            throw Problem.validation(ValidationError(field: "code", reason: "was already used; wait for the next one"))
        }
    }

    private func currentCredentials(_ context: ParleyRequestContext) async throws -> ParleyStore.Credentials {
        let identity = try context.requireIdentity()
        guard let credentials = try await services.store.credentials(userID: identity.userID) else {
            throw Problem.unauthorized("the account no longer exists")
        }
        return credentials
    }
}
