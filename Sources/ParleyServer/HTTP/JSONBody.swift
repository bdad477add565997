import Foundation
import NIOCore
import Hummingbird
import ParleyCore

extension Request {
    /// Decodes a JSON body with the API's conventions, refusing bodies over `limit` bytes (413),
    /// non-JSON content types (415) and malformed JSON (400) with a problem naming the cause.
    /// Unknown members are ignored (documented in docs/api.md).
    func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        if let contentType = headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw Problem(.unsupportedMediaType, code: "unsupported-media-type", title: "Unsupported media type",
                          detail: "send the body as application/json")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Problem(.contentTooLarge, code: "body-too-large", title: "Request body too large",
                          detail: "the body must be at most \(limit) bytes", field: "body", limit: limit)
        }
        guard buffer.readableBytes > 0 else { throw Problem.badRequest("a JSON body is required") }
        let data = Data(buffer: buffer)
        // Foundation's decoder would replace invalid UTF-8 in strings; refuse it instead.
        guard String(validating: data, as: UTF8.self) != nil else {
            throw Problem.badRequest("the body is not valid UTF-8")
        }
        return try JSONCoding.makeDecoder().decode(T.self, from: data)
    }
}
