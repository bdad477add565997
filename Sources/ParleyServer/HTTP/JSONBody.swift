import Foundation
import NIOCore
import Hummingbird
import ParleyCore

extension Request {
    /// Decodes a JSON body with the API's conventions, refusing bodies over `limit` bytes (413),
    /// non-JSON content types (415) and malformed JSON (400) with a problem naming the cause.
    /// Unknown members are ignored (documented in docs/api.md).
    func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        // The media type must be exactly application/json (parameters such as charset may follow).
        if let contentType = headers[.contentType],
            contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() != "application/json" {
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
        // Foundation's decoder would replace invalid UTF-8 in strings, and would transcode UTF-16
        // (whose zero bytes are valid UTF-8); JSON text never contains a raw NUL, so refuse both.
        guard !data.contains(0), String(validating: data, as: UTF8.self) != nil else {
            throw Problem.badRequest("the body is not valid UTF-8")
        }
        return try JSONCoding.makeDecoder().decode(T.self, from: data)
    }
}
