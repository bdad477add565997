import Hummingbird
import ParleyStore

/// Requires a visitor token for the request's site (`Authorization: Bearer <visitor_token>`) and
/// sets the visitor scope. A token of another site, or of a visitor that no longer exists, is 401.
struct VisitorAuthenticationMiddleware: RouterMiddleware {
    typealias Context = ParleyRequestContext
    let tokens: TokenService
    let store: ParleyStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw Problem.unauthorized("send the visitor token as 'Authorization: Bearer <visitor_token>'")
        }
        let visitor = try await Self.visitor(token: String(header.dropFirst("bearer ".count)), tokens: tokens, store: store)
        guard visitor.siteID == context.widgetSite?.id else {
            throw Problem.unauthorized("the visitor token belongs to another site", code: "invalid-token")
        }
        var context = context
        context.visitor = visitor
        context.attribute("visitor_id", visitor.visitorID)
        return try await next(request, context)
    }

    /// Verifies a visitor token and finds its visitor (shared with the WebSocket handshake).
    static func visitor(token: String, tokens: TokenService, store: ParleyStore) async throws -> VisitorScope {
        let identity: VisitorIdentity
        do {
            identity = try await tokens.verifyVisitor(token)
        } catch .expired {
            throw Problem.unauthorized("the visitor token has expired; start a new session", code: "token-expired")
        } catch {
            throw Problem.unauthorized("the visitor token is not valid", code: "invalid-token")
        }
        guard let visitor = try await store.visitorScope(orgID: identity.orgID, siteID: identity.siteID, visitorID: identity.visitorID)
        else { throw Problem.unauthorized("the visitor no longer exists; start a new session", code: "invalid-token") }
        return visitor
    }
}
