import Foundation
import Hummingbird
import ParleyCore
import ParleyStore

/// Canned responses: members list them (the composer's `/shortcut`), owners and admins manage them.
struct CannedResponseController {
    let services: ParleyServices

    struct CreateRequest: Decodable {
        let shortcut: String, body: String
    }

    struct UpdateRequest: Decodable {
        let shortcut: String?, body: String?
    }

    static let bodyRule = TextRule(field: "body", maxLength: CannedResponse.maxBody, allowsNewlines: true)

    func addRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.get("canned-responses", use: list)
        group.post("canned-responses", use: create)
        group.patch("canned-responses/:response", use: update)
        group.delete("canned-responses/:response", use: delete)
    }

    @Sendable func list(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<ItemList<CannedResponse>> {
        JSONResponse(ItemList(items: try await services.store.cannedResponses(try context.requireScope())))
    }

    @Sendable func create(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<CannedResponse> {
        let body = try await request.decodeJSON(CreateRequest.self, limit: services.config.maxBodyBytes)
        let created = try await services.store.createCannedResponse(
            try context.requireScope(), shortcut: try CannedResponse.shortcut(body.shortcut), body: try Self.bodyRule.check(body.body))
        return JSONResponse(created, status: .created)
    }

    @Sendable func update(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<CannedResponse> {
        let body = try await request.decodeJSON(UpdateRequest.self, limit: services.config.maxBodyBytes)
        let updated = try await services.store.updateCannedResponse(
            try context.requireScope(), id: try context.parameters.require("response"),
            shortcut: try body.shortcut.map { raw throws(ValidationError) in try CannedResponse.shortcut(raw) },
            body: try Self.bodyRule.check(optional: body.body))
        return JSONResponse(updated)
    }

    @Sendable func delete(_ request: Request, context: ParleyRequestContext) async throws -> NoContent {
        try await services.store.deleteCannedResponse(try context.requireScope(), id: try context.parameters.require("response"))
        return NoContent()
    }
}
