import Hummingbird
import ParleyCore
import ParleyStore

/// Authenticates the WebSocket handshake (browsers cannot set headers on a WebSocket, so tokens
/// travel in the query string):
/// - `/ws?access_token=…&org=…`: a valid token of an active session, and membership of the organization;
/// - `/ws?visitor_token=…[&page=…]`: a valid visitor token of an existing visitor, from a page on one
///   of the site's allowed origins (the `Origin` header).
/// Anything else is refused before the upgrade, with 401, 403 or 404 like the REST API.
struct RealtimeAuthMiddleware: RouterMiddleware {
    typealias Context = RealtimeRequestContext
    let services: ParleyServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let query = request.uri.queryParameters
        var context = context
        if let token = query.get("visitor_token") {
            let visitor = try await VisitorAuthenticationMiddleware.visitor(token: token, tokens: services.tokens, store: services.store)
            guard let site = try await services.store.widgetSite(visitor) else { throw Problem.notFound("site") }
            _ = try WidgetOriginMiddleware.admittedOrigin(request.headers, for: site)
            context.page = try query.get("page").map { raw throws(ValidationError) in try PageURL.check(raw) }
            context.participant = .visitor(visitor)
            context.logger[metadataKey: "visitor_id"] = .string(visitor.visitorID)
            context.logger[metadataKey: "org_id"] = .string(visitor.orgID)
        } else if let token = query.get("access_token") {
            let identity = try await services.authenticator.identity(forToken: token)
            guard let orgID = query.get("org"), Identifier.isWellFormed(orgID, prefix: "org"),
                let scope = try await services.store.memberScope(userID: identity.userID, orgID: orgID)
            else { throw Problem.notFound("organization") }
            context.participant = .member(identity, scope)
            context.logger[metadataKey: "user_id"] = .string(identity.userID)
            context.logger[metadataKey: "org_id"] = .string(orgID)
        } else {
            throw Problem.unauthorized("pass an access_token (members) or a visitor_token (visitors) query parameter")
        }
        return try await next(request, context)
    }
}
