import Hummingbird
import ParleyCore
import ParleyStore

/// Full-text search across the organization's conversations.
struct SearchController {
    let services: ParleyServices

    func addRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.get("search", use: search)
    }

    @Sendable func search(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Page<Conversation>> {
        let scope = try context.requireScope()
        let query = QueryParameters(request: request)
        guard let text = try query.string("q", maxLength: Limits.searchQuery) else {
            throw ValidationError(field: "q", reason: "is required")
        }
        let page = try await services.store.searchConversations(scope, query: text, cursor: try query.string("cursor"),
                                                                limit: try query.limit())
        return JSONResponse(page)
    }
}
