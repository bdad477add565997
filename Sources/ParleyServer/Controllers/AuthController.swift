import Foundation
import Hummingbird
import ParleyCore
import ParleyStore

/// Sign-up, login (password, optional TOTP, lockout), refresh-token rotation and logout.
struct AuthController {
    let services: ParleyServices

    struct SignUpRequest: Decodable {
        let email: String, password: String, name: String, organizationName: String
    }

    struct LoginRequest: Decodable {
        let email: String, password: String, totpCode: String?
    }

    struct RefreshRequest: Decodable {
        let refreshToken: String
    }

    func addPublicRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.post("signup", use: signUp)
        group.post("login", use: login)
        group.post("refresh", use: refresh)
    }

    func addAuthenticatedRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.post("logout", use: logout)
        group.post("logout-all", use: logoutAll)
    }

    @Sendable func signUp(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<TokenPair> {
        let body = try await request.decodeJSON(SignUpRequest.self, limit: services.config.maxBodyBytes)
        let email = try Email.normalize(body.email)
        let name = try Rules.name().check(body.name)
        let orgName = try Rules.name("organization_name").check(body.organizationName)
        try PasswordPolicy.check(body.password)
        let hash = try await services.passwords.hash(body.password)
        let (user, _) = try await services.store.signUp(email: email, name: name, passwordHash: hash, organizationName: orgName)
        return JSONResponse(try await services.startSession(for: user), status: .created)
    }

    @Sendable func login(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<TokenPair> {
        let body = try await request.decodeJSON(LoginRequest.self, limit: services.config.maxBodyBytes)
        let email = try Email.normalize(body.email)
        guard body.password.utf8.count <= 1024 else {
            throw Problem.validation(ValidationError(field: "password", reason: "is too long", limit: 1024))
        }
        // No stored password contains NUL (the policy refuses it); bcrypt would ignore what follows one.
        guard !body.password.unicodeScalars.contains("\0") else {
            throw Problem.validation(ValidationError(field: "password", reason: "must not contain control characters"))
        }
        let store = services.store
        let throttle = LoginThrottle(email: email, address: context.clientAddress(request, trustProxy: services.config.trustProxy))
        for key in [throttle.emailKey, throttle.addressKey] {
            if let until = try await store.loginLockedUntil(key: key) { throw lockedOut(until: until) }
        }
        guard let credentials = try await store.credentials(email: email) else {
            try await services.passwords.burnVerification(body.password)
            throw try await failedLogin(throttle)
        }
        guard try await services.passwords.verify(body.password, hash: credentials.passwordHash) else {
            throw try await failedLogin(throttle)
        }
        if credentials.user.totpEnabled, let secret = credentials.totpSecret {
            guard let code = body.totpCode else {
                throw Problem.unauthorized("this account requires a two-factor code in 'totp_code'", code: "totp-required")
            }
            guard let step = TOTPVerifier.matchingStep(code: code, secret: secret, at: services.clock.now()) else {
                throw try await failedLogin(throttle, detail: "the two-factor code is wrong", code: "invalid-totp")
            }
            guard try await store.claimTOTPStep(userID: credentials.user.id, step: step) else {
                throw try await failedLogin(throttle, detail: "this two-factor code was already used; wait for the next one",
                                            code: "totp-used")
            }
        }
        try await store.clearLoginFailures(key: throttle.emailKey)  // not the address's: its own success must not hide a list being tried
        context.logger.info("login", metadata: ["user_id": "\(credentials.user.id)"])
        return JSONResponse(try await services.startSession(for: credentials.user))
    }

    /// Failed logins are counted per email and per client address (many emails tried from one place).
    private struct LoginThrottle {
        let email: String, address: String
        var emailKey: String { "login:" + email }
        var addressKey: String { "login-address:" + address }
    }

    private func throttlePolicy(maxFailures: Int) -> ParleyStore.ThrottlePolicy {
        .init(maxFailures: maxFailures, window: services.config.loginWindow, lockout: services.config.loginLockout)
    }

    private func failedLogin(_ throttle: LoginThrottle, detail: String = "email or password is wrong",
                             code: String = "invalid-credentials") async throws -> Problem {
        let config = services.config
        let store = services.store
        let emailLock = try await store.recordLoginFailure(key: throttle.emailKey, policy: throttlePolicy(maxFailures: config.loginMaxFailures))
        let addressLock = try await store.recordLoginFailure(key: throttle.addressKey,
                                                             policy: throttlePolicy(maxFailures: config.loginMaxFailuresPerAddress))
        if let until = [emailLock, addressLock].compactMap({ $0 }).max() { return lockedOut(until: until) }
        return Problem.unauthorized(detail, code: code)
    }

    private func lockedOut(until: Date) -> Problem {
        let seconds = max(1, Int(until.timeIntervalSince(services.clock.now()).rounded(.up)))
        return Problem(.tooManyRequests, code: "login-locked", title: "Too many failed logins",
                       detail: "try again in \(seconds) seconds", headers: [.retryAfter: String(seconds)])
    }

    @Sendable func refresh(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<TokenPair> {
        let body = try await request.decodeJSON(RefreshRequest.self, limit: services.config.maxBodyBytes)
        let next = services.tokens.newRefreshToken()
        let outcome = try await services.store.rotateRefreshToken(
            presentedHash: TokenService.hash(body.refreshToken), newHash: next.hash, expiresAt: next.expiresAt)
        switch outcome {
        case .invalid:
            throw Problem.unauthorized("the refresh token is not valid", code: "invalid-refresh-token")
        case .reuseDetected:
            context.logger.warning("refresh token reuse detected; session revoked")
            throw Problem.unauthorized("the refresh token was already used; the session has been signed out",
                                       code: "refresh-token-reused")
        case .rotated(let userID, let familyID):
            guard let user = try await services.store.credentials(userID: userID)?.user else {
                throw Problem.unauthorized("the account no longer exists", code: "invalid-refresh-token")
            }
            let access = try await services.tokens.accessToken(userID: userID, sessionID: familyID)
            return JSONResponse(TokenPair(accessToken: access, expiresIn: Int(services.tokens.accessTTL),
                                          refreshToken: next.token, user: user))
        }
    }

    @Sendable func logout(_ request: Request, context: ParleyRequestContext) async throws -> NoContent {
        let identity = try context.requireIdentity()
        try await services.store.revokeSession(familyID: identity.sessionID, reason: "logout")
        return NoContent()
    }

    @Sendable func logoutAll(_ request: Request, context: ParleyRequestContext) async throws -> NoContent {
        let identity = try context.requireIdentity()
        try await services.store.revokeAllSessions(userID: identity.userID, reason: "logout everywhere")
        return NoContent()
    }
}
