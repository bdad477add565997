import Hummingbird
import ParleyCore
import ParleyStore

/// For routes under `/orgs/{org}`: proves the caller's membership and sets the tenant scope.
/// Not a member, or no such organization: 404 either way, so ids of other tenants leak nothing.
struct OrganizationScopeMiddleware: RouterMiddleware {
    typealias Context = ParleyRequestContext
    let store: ParleyStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let identity = try context.requireIdentity()
        guard let orgID = context.parameters.get("org"), Identifier.isWellFormed(orgID, prefix: "org"),
            let scope = try await store.memberScope(userID: identity.userID, orgID: orgID)
        else { throw Problem.notFound("organization") }
        var context = context
        context.scope = scope
        context.attribute("org_id", orgID)
        return try await next(request, context)
    }
}
