import Foundation
import Hummingbird
import ParleyCore
import ParleyStore

/// The organization itself and its members.
struct OrganizationController {
    let services: ParleyServices

    struct Rename: Decodable {
        let name: String
    }

    struct RoleChange: Decodable {
        let role: Role
    }

    func addRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.get(use: show)
        group.patch(use: rename)
        group.get("members", use: members)
        group.patch("members/:user", use: changeRole)
        group.delete("members/:user", use: remove)
    }

    @Sendable func show(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Organization> {
        JSONResponse(try await services.store.organization(try context.requireScope()))
    }

    @Sendable func rename(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Organization> {
        let scope = try context.requireScope()
        let body = try await request.decodeJSON(Rename.self, limit: services.config.maxBodyBytes)
        return JSONResponse(try await services.store.renameOrganization(scope, name: try Rules.name().check(body.name)))
    }

    @Sendable func members(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<[Member]> {
        JSONResponse(try await services.store.members(try context.requireScope()))
    }

    @Sendable func changeRole(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Member> {
        let scope = try context.requireScope()
        let userID = try context.parameters.require("user")
        let body = try await request.decodeJSON(RoleChange.self, limit: services.config.maxBodyBytes)
        return JSONResponse(try await services.store.changeRole(scope, userID: userID, to: body.role))
    }

    /// Removes a member (or, for one's own id, leaves the organization).
    @Sendable func remove(_ request: Request, context: ParleyRequestContext) async throws -> NoContent {
        let scope = try context.requireScope()
        try await services.store.removeMember(scope, userID: try context.parameters.require("user"))
        return NoContent()
    }
}
