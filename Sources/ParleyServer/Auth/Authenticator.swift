import ParleyStore

/// Turns a presented access token into an identity whose session is still active: shared by the
/// HTTP middleware (Authorization header) and the WebSocket handshake (query parameter).
struct Authenticator: Sendable {
    let tokens: TokenService
    let store: ParleyStore

    func identity(forToken token: String) async throws -> Identity {
        let identity: Identity
        do {
            identity = try await tokens.verify(token)
        } catch .expired {
            throw Problem.unauthorized("the access token has expired; refresh it", code: "token-expired")
        } catch {
            throw Problem.unauthorized("the access token is not valid", code: "invalid-token")
        }
        guard try await store.isSessionActive(familyID: identity.sessionID, userID: identity.userID) else {
            throw Problem.unauthorized("the session was signed out", code: "session-revoked")
        }
        return identity
    }
}
