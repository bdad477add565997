import Hummingbird
import Prometheus

/// Counts requests by route and status and records their latency, into Parley's own registry
/// (not the process-global MetricsSystem, so several apps can live in one test process).
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ParleyMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        // Unmatched paths share one label so scanners cannot blow up the series count.
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(method: request.method.rawValue, route: route, status: Int(response.status.code),
                              duration: ContinuousClock.now - start)
        return response
    }
}
