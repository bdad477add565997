import Hummingbird
import ParleyStore

/// Requires a valid access token whose session (refresh-token family) is still active: logout and
/// refresh-token reuse detection take effect on the next request, not at token expiry.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ParleyRequestContext
    let authenticator: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw Problem.unauthorized("send an access token as 'Authorization: Bearer <token>'")
        }
        let identity = try await authenticator.identity(forToken: String(header.dropFirst("bearer ".count)))
        var context = context
        context.identity = identity
        context.attribute("user_id", identity.userID)
        return try await next(request, context)
    }
}
