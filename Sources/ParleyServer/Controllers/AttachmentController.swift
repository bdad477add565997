import Foundation
import HTTPTypes
import Hummingbird
import ParleyCore
import ParleyStore

/// Attachments for members (upload into a conversation, a download link for any attachment of the
/// organization) and the signed download route itself, which needs no other credential.
struct AttachmentController {
    let services: ParleyServices

    var intake: AttachmentIntake { AttachmentIntake(storage: services.attachmentStorage) }

    func addOrganizationRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.post("conversations/:conversation/uploads", use: upload)
        group.get("attachments/:attachment/link", use: link)
    }

    func addDownloadRoute(to router: Router<ParleyRequestContext>) {
        router.get("files/:org/:attachment", use: download)
    }

    /// `?filename=NAME[&client_id=ID][&private=true]`, the file as the body: 201 with the message.
    /// Agents may send any accepted kind up to the server's limit; sites' limits bind visitors.
    @Sendable func upload(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Message> {
        let scope = try context.requireScope()
        let conversationID = try context.parameters.require("conversation")
        _ = try await services.store.conversation(scope, id: conversationID)
        let query = QueryParameters(request: request)
        let clientID = try query.string("client_id", maxLength: 64).map(MessageController.clientID)
        let isPrivate = try query.bool("private") ?? false
        let stored = try await intake.receive(request, orgID: scope.orgID,
                                              rules: .init(maxBytes: services.config.maxUploadBytes, allowed: FileKind.allCases))
        return try await intake.message(for: stored, isPrivate: isPrivate, clientID: clientID) { draft in
            let sent = try await services.store.sendMessage(scope, conversationID: conversationID, draft: draft)
            return (sent.message, sent.created)
        }
    }

    @Sendable func link(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<AttachmentLinks.Link> {
        let scope = try context.requireScope()
        let attachment = try await services.store.attachment(scope, id: try context.parameters.require("attachment"))
        return JSONResponse(services.attachmentLinks.link(orgID: scope.orgID, attachmentID: attachment.attachment.id))
    }

    /// Serves the bytes under the sniffed type, inline only for images, never sniffable as
    /// anything else and sandboxed should a browser render it.
    @Sendable func download(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        let orgID = try context.parameters.require("org")
        let attachmentID = try context.parameters.require("attachment")
        let query = FormQuery(request.uri.query)
        let expires = try query.value("expires"), signature = try query.value("signature")
        do {
            try services.attachmentLinks.verify(orgID: orgID, attachmentID: attachmentID, expires: expires, signature: signature)
        } catch .expired {
            throw Problem(.forbidden, code: "link-expired", title: "This download link has expired",
                          detail: "ask for a new link; links are valid for \(Int(services.config.attachmentURLTTL)) seconds")
        } catch {
            throw Problem(.forbidden, code: "link-invalid", title: "This download link is not valid", detail: "the signature does not match")
        }
        let stored = try await services.store.attachment(orgID: orgID, id: attachmentID)
        guard let bytes = try await services.attachmentStorage.get(key: stored.storageKey) else { throw Problem.notFound("attachment") }
        let file = stored.attachment
        let headers: HTTPFields = [
            .contentType: file.contentType == FileKind.text.mimeType ? "text/plain; charset=utf-8" : file.contentType,
            .contentDisposition: Self.disposition(file),
            .xContentTypeOptions: "nosniff",
            .contentSecurityPolicy: "default-src 'none'; sandbox",
            .cacheControl: "private, max-age=\(Int(services.config.attachmentURLTTL))",
            .referrerPolicy: "no-referrer",
            .crossOriginResourcePolicy: "cross-origin",  // widgets on customers' pages show the images
        ]
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: bytes))
    }

    /// `inline` for images, `attachment` otherwise; an ASCII fallback name and the exact one in
    /// RFC 8187 form.
    static func disposition(_ file: Attachment) -> String {
        let ascii = String(file.filename.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 ? Character($0) : "_" })
        let encoded = file.filename.addingPercentEncoding(withAllowedCharacters: Self.attrChar)
            ?? "file"
        return "\(file.image ? "inline" : "attachment"); filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}

extension AttachmentController {
    /// RFC 8187 `attr-char` minus the rarely-safe punctuation: ASCII letters, digits and `.-_~`.
    static let attrChar = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_~")
}
