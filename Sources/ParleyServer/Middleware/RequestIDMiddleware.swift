import Hummingbird
import ParleyCore

/// Gives every request an id (the client's `X-Request-Id` when it is sane), puts it in the log
/// metadata and echoes it on the response, so a user's report can be matched to the log.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = Self.id(for: request.headers)
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }

    /// The client's id when it is sane, else a fresh one.
    static func id(for headers: HTTPFields) -> String {
        let supplied = headers[.requestID].flatMap { id in
            // An empty id would match nothing in the log, so it is replaced like any other bad one.
            !id.isEmpty && id.count <= 64 && id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) ? id : nil
        }
        return supplied ?? RandomToken.make(length: 16)
    }
}
