import Hummingbird
import ParleyStore

/// Per-request state: who is calling (set by `AuthenticationMiddleware`) and, under
/// `/orgs/{org}`, the tenant scope they proved (set by `OrganizationScopeMiddleware`).
public struct ParleyRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Identity?
    public var scope: TenantScope?
    /// Under `/widget/{site_key}`: the site whose allowed origin the request came from.
    public var widgetSite: WidgetSite?
    /// The visitor proven by a visitor token (widget routes).
    public var visitor: VisitorScope?
    public let attribution = RequestAttribution()

    /// The connection's peer address (without the port), for per-address limits.
    public let peerAddress: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peerAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// The client's address: the peer, or behind a trusted proxy the address it forwarded.
    func clientAddress(_ request: Request, trustProxy: Bool) -> String {
        guard trustProxy, let forwarded = request.headers[values: .xForwardedFor].last?.split(separator: ",").last else {
            return peerAddress
        }
        return forwarded.trimmingCharacters(in: .whitespaces)
    }

    /// The caller's identity, or 401 for routes that need one.
    func requireIdentity() throws -> Identity {
        guard let identity else { throw Problem.unauthorized("send an access token as 'Authorization: Bearer <token>'") }
        return identity
    }

    func requireVisitor() throws -> VisitorScope {
        guard let visitor else { throw Problem.unauthorized("send the visitor token as 'Authorization: Bearer <visitor_token>'") }
        return visitor
    }

    /// The tenant scope; only routes under the organization middleware ask for it.
    func requireScope() throws -> TenantScope {
        guard let scope else { throw Problem.notFound("organization") }
        return scope
    }
}
