import Foundation
import HTTPTypes
import Hummingbird
import ParleyCore

/// An RFC 9457 problem: every error Parley answers has this `application/problem+json` shape,
/// naming the field and the limit when a value broke a rule.
public struct Problem: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    /// Stable machine-readable code; the `type` member is `urn:parley:problem:<code>`.
    public let code: String
    public let title: String
    public let detail: String?
    public let field: String?
    public let limit: Int?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, title: String, detail: String? = nil, field: String? = nil,
                limit: Int? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.field = field
        self.limit = limit
        self.headers = headers
    }

    struct Body: Encodable {
        let type: String, title: String, status: Int, detail: String?, field: String?, limit: Int?, requestId: String?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try response(requestID: context.logger[metadataKey: "request_id"]?.description)
    }

    /// The response for a request known by its id alone (a refused WebSocket handshake has no context).
    func response(requestID: String?) throws -> Response {
        let body = Body(type: "urn:parley:problem:\(code)", title: title, status: Int(status.code), detail: detail,
                        field: field, limit: limit, requestId: requestID)
        let data = try JSONCoding.makeEncoder().encode(body)
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Problem {
    static func validation(_ error: ValidationError) -> Problem {
        Problem(.unprocessableContent, code: "validation", title: "A field is invalid",
                detail: "\(error.field) \(error.reason)", field: error.field, limit: error.limit)
    }

    static func badRequest(_ detail: String, field: String? = nil) -> Problem {
        Problem(.badRequest, code: "malformed-request", title: "The request is malformed", detail: detail, field: field)
    }

    static func notFound(_ what: String = "resource") -> Problem {
        Problem(.notFound, code: "not-found", title: "Not found", detail: "\(what) not found")
    }

    static func unauthorized(_ detail: String, code: String = "unauthorized") -> Problem {
        Problem(.unauthorized, code: code, title: "Authentication required", detail: detail,
                headers: [.wwwAuthenticate: "Bearer"])
    }

    static func forbidden(_ detail: String) -> Problem {
        Problem(.forbidden, code: "forbidden", title: "Not allowed", detail: detail)
    }

    /// `/ws` asked for without a valid WebSocket handshake (a plain GET, or a malformed upgrade).
    static let webSocketRequired = Problem(
        .upgradeRequired, code: "websocket-required", title: "WebSocket upgrade required",
        detail: "/ws speaks the WebSocket protocol only: send a GET with Upgrade: websocket, Connection: Upgrade, Sec-WebSocket-Key and Sec-WebSocket-Version: 13",
        headers: [.upgrade: "websocket", .connection: "Upgrade"])

    static func conflict(_ detail: String) -> Problem {
        Problem(.conflict, code: "conflict", title: "Conflict with the current state", detail: detail)
    }
}
