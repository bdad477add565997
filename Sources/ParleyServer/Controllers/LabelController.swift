import Foundation
import Hummingbird
import ParleyCore
import ParleyStore

/// The label catalog: members list it (to pick labels and colour them), owners and admins manage it.
struct LabelController {
    let services: ParleyServices

    struct CreateRequest: Decodable {
        let name: String, color: String?
    }

    struct UpdateRequest: Decodable {
        let name: String?, color: String?
    }

    func addRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.get("labels", use: list)
        group.post("labels", use: create)
        group.patch("labels/:label", use: update)
        group.delete("labels/:label", use: delete)
    }

    @Sendable func list(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<ItemList<LabelDefinition>> {
        JSONResponse(ItemList(items: try await services.store.labels(try context.requireScope())))
    }

    @Sendable func create(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<LabelDefinition> {
        let body = try await request.decodeJSON(CreateRequest.self, limit: services.config.maxBodyBytes)
        let created = try await services.store.createLabel(
            try context.requireScope(), name: try Self.name(body.name),
            color: try HexColor.check(body.color ?? LabelDefinition.defaultColor, field: "color"))
        return JSONResponse(created, status: .created)
    }

    @Sendable func update(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<LabelDefinition> {
        let body = try await request.decodeJSON(UpdateRequest.self, limit: services.config.maxBodyBytes)
        let updated = try await services.store.updateLabel(
            try context.requireScope(), id: try context.parameters.require("label"),
            name: try body.name.map { raw throws(ValidationError) in try Self.name(raw) },
            color: try body.color.map { raw throws(ValidationError) in try HexColor.check(raw, field: "color") })
        return JSONResponse(updated)
    }

    @Sendable func delete(_ request: Request, context: ParleyRequestContext) async throws -> NoContent {
        try await services.store.deleteLabel(try context.requireScope(), id: try context.parameters.require("label"))
        return NoContent()
    }

    /// The same rule and normalization as labels on conversations, so catalog names match them.
    static func name(_ raw: String) throws(ValidationError) -> String {
        ConversationController.normalizedLabel(try TextRule(field: "name", maxLength: Limits.label).check(raw))
    }
}
