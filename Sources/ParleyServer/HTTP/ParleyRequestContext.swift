import Hummingbird
import ParleyStore

/// Per-request state: who is calling (set by `AuthenticationMiddleware`) and, under
/// `/orgs/{org}`, the tenant scope they proved (set by `OrganizationScopeMiddleware`).
public struct ParleyRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Identity?
    public var scope: TenantScope?
    public let attribution = RequestAttribution()

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// The caller's identity, or 401 for routes that need one.
    func requireIdentity() throws -> Identity {
        guard let identity else { throw Problem.unauthorized("send an access token as 'Authorization: Bearer <token>'") }
        return identity
    }

    /// The tenant scope; only routes under the organization middleware ask for it.
    func requireScope() throws -> TenantScope {
        guard let scope else { throw Problem.notFound("organization") }
        return scope
    }
}
