import Foundation
import Hummingbird
import ParleyCore
import ParleyRealtime
import ParleyStore

/// The dashboard's visitor panel: a visitor's profile, and the team's notes about them.
struct VisitorController {
    let services: ParleyServices

    struct NoteRequest: Decodable {
        let body: String
    }

    func addRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.get("visitors/:visitor", use: show)
        group.post("visitors/:visitor/notes", use: addNote)
        group.delete("visitors/:visitor/notes/:note", use: deleteNote)
    }

    @Sendable func show(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<VisitorProfile> {
        let profile = try await services.store.visitorProfile(
            try context.requireScope(), id: try context.parameters.require("visitor"),
            freshAfter: services.clock.now().addingTimeInterval(-PresenceTracker.ttl))
        return JSONResponse(profile)
    }

    @Sendable func addNote(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<VisitorNote> {
        let body = try await request.decodeJSON(NoteRequest.self, limit: services.config.maxBodyBytes)
        let note = try await services.store.addVisitorNote(try context.requireScope(), visitorID: try context.parameters.require("visitor"),
                                                           body: try VisitorNote.bodyRule.check(body.body))
        return JSONResponse(note, status: .created)
    }

    @Sendable func deleteNote(_ request: Request, context: ParleyRequestContext) async throws -> NoContent {
        try await services.store.deleteVisitorNote(try context.requireScope(), visitorID: try context.parameters.require("visitor"),
                                                   noteID: try context.parameters.require("note"))
        return NoContent()
    }
}
