import Foundation
import HTTPTypes
import Hummingbird
import ParleyCore
import ParleyStore

/// Turns an upload (`POST …/uploads?filename=NAME`, the raw bytes as the body) into a stored
/// attachment: reads no more than the limit, decides the type from the content alone, sanitizes
/// the name, and puts the bytes into storage under the organization's prefix.
struct AttachmentIntake {
    let storage: any AttachmentStorage

    /// What an upload may be: at most `maxBytes`, of one of `allowed` kinds.
    struct Rules {
        let maxBytes: Int
        let allowed: [FileKind]
    }

    func receive(_ request: Request, orgID: String, rules: Rules) async throws -> StoredAttachment {
        let query = QueryParameters(request: request)
        guard let rawName = try query.string("filename", maxLength: 1_000) else {
            throw ValidationError(field: "filename", reason: "is required (the file's name, URL-encoded)")
        }
        let bytes = try await Self.readBody(request, maxBytes: rules.maxBytes)
        guard bytes.readableBytes > 0 else { throw ValidationError(field: "body", reason: "is empty: send the file's bytes") }
        let kind = try Self.kind(of: bytes, allowed: rules.allowed)
        let id = Identifier.make("att")
        let stored = StoredAttachment(
            attachment: Attachment(id: id, filename: Filename.sanitize(rawName), contentType: kind.mimeType, byteSize: bytes.readableBytes,
                                   image: kind.isImage),
            storageKey: "\(orgID)/\(id)")
        try await storage.put(bytes, key: stored.storageKey)
        return stored
    }

    /// Sends the stored file as a message (its name as the body) through `send`: 201, or 200 with
    /// the earlier message for a client-id retry. The bytes are removed again when no message kept
    /// them (the send failed, or it was a retry).
    func message(for stored: StoredAttachment, isPrivate: Bool, clientID: String?,
                 send: (MessageDraft) async throws -> (message: Message, created: Bool)) async throws -> JSONResponse<Message> {
        let draft = MessageDraft(body: stored.attachment.filename, isPrivate: isPrivate, clientID: clientID, attachment: stored)
        let result: (message: Message, created: Bool)
        do {
            result = try await send(draft)
        } catch {
            try? await storage.delete(key: stored.storageKey)
            throw error
        }
        if !result.created { try? await storage.delete(key: stored.storageKey) }
        return JSONResponse(result.message, status: result.created ? .created : .ok)
    }

    static func readBody(_ request: Request, maxBytes: Int) async throws -> ByteBuffer {
        let tooLarge = Problem(.contentTooLarge, code: "payload-too-large", title: "The file is too large",
                               detail: "files may be at most \(maxBytes) bytes here", limit: maxBytes)
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBytes { throw tooLarge }
        var collected = ByteBuffer()
        for try await var chunk in request.body {
            guard collected.readableBytes + chunk.readableBytes <= maxBytes else { throw tooLarge }
            collected.writeBuffer(&chunk)
        }
        return collected
    }

    static func kind(of bytes: ByteBuffer, allowed: [FileKind]) throws -> FileKind {
        let allowedList = allowed.map(\.mimeType).joined(separator: ", ")
        func refuse(_ detail: String) -> Problem {
            Problem(.unsupportedMediaType, code: "unsupported-media-type", title: "This kind of file is not accepted", detail: detail)
        }
        switch FileKind.sniff(bytes.readableBytesView) {
        case .executable:
            throw refuse("the file is an executable program, whatever its name says; programs are never accepted")
        case .unknown:
            throw refuse("the file's type is not recognised; accepted here: \(allowedList)")
        case .kind(let kind):
            guard allowed.contains(kind) else { throw refuse("\(kind.mimeType) files are not accepted here; accepted: \(allowedList)") }
            return kind
        }
    }
}
