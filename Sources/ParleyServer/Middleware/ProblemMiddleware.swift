import Hummingbird
import Logging

/// Renders every thrown error as `application/problem+json`. Server faults are logged as critical
/// with the error, while the client only sees a generic message and the request id.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem: Problem
            if let mapped = ProblemMapping.problem(for: error) {
                problem = mapped
            } else {
                context.logger.critical("unhandled error", metadata: ["error": "\(String(reflecting: error))",
                                                                      "path": "\(request.uri.path)"])
                problem = ProblemMapping.internalError
            }
            return try problem.response(from: request, context: context)
        }
    }
}
