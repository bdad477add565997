import Foundation
import Hummingbird
import ParleyCore
import ParleyStore

/// Message history, sending (idempotent on `client_id`), edit, soft delete and read markers.
struct MessageController {
    let services: ParleyServices

    struct SendRequest: Decodable {
        let body: String
        let `private`: Bool?
        let clientId: String?
    }

    struct EditRequest: Decodable {
        let body: String
    }

    struct ReadRequest: Decodable {
        let seq: Int

        enum CodingKeys: String, CodingKey { case seq }

        /// Foundation reports a fractional or out-of-range number without its key; name it here.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let seq = try? container.decode(Int.self, forKey: .seq) {
                self.seq = seq
            } else if (try? container.decode(Double.self, forKey: .seq)) != nil {
                throw ValidationError(field: "seq", reason: "must be a whole number within 64 bits")
            } else {
                self.seq = try container.decode(Int.self, forKey: .seq)
            }
        }
    }

    struct ReadMarker: Encodable, Sendable {
        let conversationId: String, lastReadSeq: Int
    }

    func addRoutes(to group: RouterGroup<ParleyRequestContext>) {
        group.get("conversations/:conversation/messages", use: list)
        group.post("conversations/:conversation/messages", use: send)
        group.patch("conversations/:conversation/messages/:message", use: edit)
        group.delete("conversations/:conversation/messages/:message", use: delete)
        group.post("conversations/:conversation/read", use: markRead)
    }

    /// `?before=SEQ` pages back (default: the latest page), `?after=SEQ` pages forward; items ascend by seq.
    @Sendable func list(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Page<Message>> {
        let scope = try context.requireScope()
        let query = QueryParameters(request: request)
        let before = try query.integer("before", in: 0...Limits.sequenceMax)
        let after = try query.integer("after", in: 0...Limits.sequenceMax)
        if before != nil, after != nil { throw ValidationError(field: "after", reason: "cannot be combined with before") }
        let direction: MessagePageDirection = after.map { .after($0) } ?? .before(before)
        let page = try await services.store.messages(scope, conversationID: try context.parameters.require("conversation"),
                                                     direction: direction, limit: try query.limit())
        return JSONResponse(page)
    }

    /// 201 for a new message; 200 with the original when `client_id` was already used (a retry).
    @Sendable func send(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Message> {
        let scope = try context.requireScope()
        let body = try await request.decodeJSON(SendRequest.self, limit: services.config.maxBodyBytes)
        let draft = MessageDraft(body: try Rules.messageBody.check(body.body), isPrivate: body.private ?? false,
                                 clientID: try body.clientId.map(Self.clientID))
        let result = try await services.store.sendMessage(scope, conversationID: try context.parameters.require("conversation"),
                                                          draft: draft)
        return JSONResponse(result.message, status: result.created ? .created : .ok)
    }

    @Sendable func edit(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Message> {
        let scope = try context.requireScope()
        let body = try await request.decodeJSON(EditRequest.self, limit: services.config.maxBodyBytes)
        let message = try await services.store.editMessage(
            scope, conversationID: try context.parameters.require("conversation"),
            messageID: try context.parameters.require("message"), body: try Rules.messageBody.check(body.body))
        return JSONResponse(message)
    }

    /// Soft delete: answers with the message as it now reads (empty body, `deleted: true`).
    @Sendable func delete(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<Message> {
        let message = try await services.store.deleteMessage(
            try context.requireScope(), conversationID: try context.parameters.require("conversation"),
            messageID: try context.parameters.require("message"))
        return JSONResponse(message)
    }

    @Sendable func markRead(_ request: Request, context: ParleyRequestContext) async throws -> JSONResponse<ReadMarker> {
        let scope = try context.requireScope()
        let conversationID = try context.parameters.require("conversation")
        let body = try await request.decodeJSON(ReadRequest.self, limit: services.config.maxBodyBytes)
        guard body.seq >= 0 else { throw ValidationError(field: "seq", reason: "must not be negative") }
        let marker = try await services.store.markRead(scope, conversationID: conversationID, seq: body.seq)
        return JSONResponse(ReadMarker(conversationId: conversationID, lastReadSeq: marker))
    }

    /// Client ids are opaque to Parley but bounded: 1–64 of [A-Za-z0-9._:-].
    static func clientID(_ raw: String) throws -> String {
        let allowed = raw.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._:-".contains($0)) }
        guard (1...64).contains(raw.count), allowed else {
            throw ValidationError(field: "client_id", reason: "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_', ':', '-'",
                                  limit: 64)
        }
        return raw
    }
}
