import Hummingbird
import ParleyStore

/// Requires a valid access token whose session (refresh-token family) is still active: logout and
/// refresh-token reuse detection take effect on the next request, not at token expiry.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ParleyRequestContext
    let tokens: TokenService
    let store: ParleyStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw Problem.unauthorized("send an access token as 'Authorization: Bearer <token>'")
        }
        let identity: Identity
        do {
            identity = try await tokens.verify(String(header.dropFirst("bearer ".count)))
        } catch .expired {
            throw Problem.unauthorized("the access token has expired; refresh it", code: "token-expired")
        } catch {
            throw Problem.unauthorized("the access token is not valid", code: "invalid-token")
        }
        guard try await store.isSessionActive(familyID: identity.sessionID, userID: identity.userID) else {
            throw Problem.unauthorized("the session was signed out", code: "session-revoked")
        }
        var context = context
        context.identity = identity
        context.attribute("user_id", identity.userID)
        return try await next(request, context)
    }
}
