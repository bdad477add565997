import Hummingbird
import ParleyCore
import ParleyStore

/// Authenticates the handshake of `/ws?access_token=…&org=…` (browsers cannot set headers on a
/// WebSocket): a valid token of an active session, and membership of the organization. Anything
/// else is refused before the upgrade, with 401 or 404 like the REST API.
struct RealtimeAuthMiddleware: RouterMiddleware {
    typealias Context = RealtimeRequestContext
    let authenticator: Authenticator
    let store: ParleyStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.uri.queryParameters.get("access_token") else {
            throw Problem.unauthorized("pass the access token as the access_token query parameter")
        }
        let identity = try await authenticator.identity(forToken: token)
        guard let orgID = request.uri.queryParameters.get("org"), Identifier.isWellFormed(orgID, prefix: "org"),
            let scope = try await store.memberScope(userID: identity.userID, orgID: orgID)
        else { throw Problem.notFound("organization") }
        var context = context
        context.identity = identity
        context.scope = scope
        context.logger[metadataKey: "user_id"] = .string(identity.userID)
        context.logger[metadataKey: "org_id"] = .string(orgID)
        return try await next(request, context)
    }
}
