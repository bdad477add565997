import HTTPTypes
import Hummingbird
import Logging
import ParleyCore
import ParleyStore

/// A handshake that passed: who is on the socket, and the logger that names them.
struct RealtimeAdmission: Sendable {
    let participant: RealtimeParticipant
    /// A visitor's current page, if the handshake named it.
    let page: String?
    let logger: Logger
}

extension RealtimeGateway {
    /// Authenticates a WebSocket handshake (browsers cannot set headers on a WebSocket, so tokens
    /// travel in the query string):
    /// - `/ws?access_token=…&org=…`: a valid token of an active session, and membership of the organization;
    /// - `/ws?visitor_token=…[&page=…]`: a valid visitor token of an existing visitor, from a page on one
    ///   of the site's allowed origins (the `Origin` header).
    /// Anything else throws, and is answered before the upgrade with 401, 403 or 404 like the REST API.
    func admit(_ request: Request, logger: Logger) async throws -> RealtimeAdmission {
        guard request.uri.path == "/ws" else { throw Problem.notFound("WebSocket endpoint (it is /ws)") }
        let query = FormQuery(request.uri.query)
        var logger = logger
        if let token = try query.value("visitor_token") {
            let visitor = try await VisitorAuthenticationMiddleware.visitor(token: token, tokens: services.tokens, store: services.store)
            guard let site = try await services.store.widgetSite(visitor) else { throw Problem.notFound("site") }
            _ = try WidgetOriginMiddleware.admittedOrigin(request.headers, for: site)
            let page = try query.value("page").map { raw throws(ValidationError) in try PageURL.check(raw) }
            logger[metadataKey: "visitor_id"] = .string(visitor.visitorID)
            logger[metadataKey: "org_id"] = .string(visitor.orgID)
            return RealtimeAdmission(participant: .visitor(visitor), page: page, logger: logger)
        } else if let token = try query.value("access_token") {
            let identity = try await services.authenticator.identity(forToken: token)
            guard let orgID = try query.value("org"), Identifier.isWellFormed(orgID, prefix: "org"),
                let scope = try await services.store.memberScope(userID: identity.userID, orgID: orgID)
            else { throw Problem.notFound("organization") }
            logger[metadataKey: "user_id"] = .string(identity.userID)
            logger[metadataKey: "org_id"] = .string(orgID)
            return RealtimeAdmission(participant: .member(identity, scope), page: nil, logger: logger)
        } else {
            throw Problem.unauthorized("pass an access_token (members) or a visitor_token (visitors) query parameter")
        }
    }
}
