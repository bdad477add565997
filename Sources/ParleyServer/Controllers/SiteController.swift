import Foundation
import Hummingbird
import ParleyCore
import ParleyStore

/// Sites: the websites (inboxes) of an organization, their allowed origins and keys.
struct SiteController {
    let services: ParleyServices

    struct CreateRequest: Decodable {
        let name: String
        let allowedOrigins: [String]?
    }

    struct UpdateRequest: Decodable {
        let name: String?
        let allowedOrigins: [String]?
        let identityRequired: Bool?
        let widget: WidgetSettingsPatch?
    }

    func addRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.get("sites", use: list)
        group.post("sites", use: create)
        group.get("sites/:site", use: show)
        group.patch("sites/:site", use: update)
        group.delete("sites/:site", use: delete)
        group.post("sites/:site/rotate-keys", use: rotateKeys)
    }

    @Sendable func list(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<[Site]> {
        JSONResponse(try await services.store.sites(try context.requireScope()))
    }

    @Sendable func show(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Site> {
        JSONResponse(try await services.store.site(try context.requireScope(), id: try context.parameters.require("site")))
    }

    @Sendable func create(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Site> {
        let scope = try context.requireScope()
        let body = try await request.decodeJSON(CreateRequest.self, limit: services.config.maxBodyBytes)
        let site = try await services.store.createSite(
            scope, name: try Rules.name().check(body.name), allowedOrigins: try Self.origins(body.allowedOrigins ?? []))
        return JSONResponse(site, status: .created)
    }

    @Sendable func update(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Site> {
        let scope = try context.requireScope()
        let body = try await request.decodeJSON(UpdateRequest.self, limit: services.config.maxBodyBytes)
        let id = try context.parameters.require("site")
        var changes = ParleyStore.SiteChanges(name: try Rules.name().check(optional: body.name),
                                              allowedOrigins: try body.allowedOrigins.map(Self.origins),
                                              identityRequired: body.identityRequired)
        if let widget = body.widget {
            let current = try await services.store.site(scope, id: id).widget
            changes.widget = try widget.applied(to: current, maxUploadBytes: services.config.maxUploadBytes)
        }
        return JSONResponse(try await services.store.updateSite(scope, id: id, changes: changes))
    }

    @Sendable func delete(_ request: Request, context: ParleyRequestContext) async throws -> NoContent {
        try await services.store.deleteSite(try context.requireScope(), id: try context.parameters.require("site"))
        return NoContent()
    }

    @Sendable func rotateKeys(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Site> {
        JSONResponse(try await services.store.rotateSiteKeys(try context.requireScope(), id: try context.parameters.require("site")))
    }

    /// Normalizes origins, drops duplicates, and bounds the list.
    static func origins(_ raw: [String]) throws -> [String] {
        guard raw.count <= Limits.originsPerSite else {
            throw ValidationError(field: "allowed_origins", reason: "must have at most \(Limits.originsPerSite) entries",
                                  limit: Limits.originsPerSite)
        }
        var seen: [String] = []
        for (index, origin) in raw.enumerated() {
            let normalized = try Origin.normalize(origin, field: "allowed_origins[\(index)]")
            if !seen.contains(normalized) { seen.append(normalized) }
        }
        return seen
    }
}
