import Foundation
import Hummingbird
import ParleyCore
import ParleyStore

/// Visitors' files: uploads under the site's limits, and download links to their own conversations' files.
extension WidgetController {
    /// `?filename=NAME[&client_id=ID]`, the file as the body: 201 with the message (opening a
    /// conversation like any first message).
    @Sendable func upload(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Message> {
        let visitor = try context.requireVisitor()
        let site = try admitWrite(request, context: context)
        let clientID = try QueryParameters(request: request).string("client_id", maxLength: 64).map(MessageController.clientID)
        let intake = AttachmentIntake(storage: services.attachmentStorage)
        let stored = try await intake.receive(request, orgID: visitor.orgID, rules: .init(
            maxBytes: uploadLimit(site), allowed: site.settings.uploads.allowedTypes.compactMap(FileKind.init(mimeType:))))
        return try await intake.message(for: stored, isPrivate: false, clientID: clientID) { draft in
            let sent = try await services.store.sendMessage(visitor, draft: draft)
            return (sent.message, sent.created)
        }
    }

    @Sendable func attachmentLink(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<AttachmentLinks.Link> {
        let visitor = try context.requireVisitor()
        let attachment = try await services.store.attachment(visitor, id: try context.parameters.require("attachment"))
        return JSONResponse(services.attachmentLinks.link(orgID: visitor.orgID, attachmentID: attachment.attachment.id))
    }
}
