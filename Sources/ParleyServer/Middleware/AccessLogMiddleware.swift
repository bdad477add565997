import Hummingbird
import Logging

/// One log line per request: method, route template, status and duration, with the request id,
/// user and organization the inner middleware attributed it to. Paths are logged as route
/// templates, so ids and tokens in URLs never reach the log.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = ParleyRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        var metadata = context.attribution.metadata
        metadata["method"] = .string(request.method.rawValue)
        metadata["route"] = .string(context.endpointPath ?? "unmatched")
        metadata["status"] = .stringConvertible(response.status.code)
        metadata["duration_ms"] = .string(String(format: "%.2f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000))
        context.logger.info("request", metadata: metadata)
        return response
    }
}
