import Foundation
import Prometheus
import ParleyStore

/// Parley's Prometheus metrics: HTTP requests and latency, and the database pool.
public final class ParleyMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let engine: any DatabaseEngine
    private let poolInUse: Gauge

    private static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
    ]

    public init(engine: any DatabaseEngine, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.engine = engine
        self.poolInUse = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "parley", subsystem: "db", metricName: "connections_in_use", unitName: "count",
            helpText: "Database connections currently lent out"))
    }

    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let labels = [("method", method), ("route", route), ("status", String(status))]
        registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "parley", subsystem: "http", metricName: "requests", unitName: "total",
            helpText: "HTTP requests by method, route and status"), labels: labels).increment()
        registry.makeDurationHistogram(descriptor: MetricNameDescriptor(
            namespace: "parley", subsystem: "http", metricName: "request_duration", unitName: "seconds",
            helpText: "HTTP request latency"), labels: [("method", method), ("route", route)], buckets: Self.buckets)
            .record(duration)
    }

    /// The Prometheus text exposition, sampling the pool gauge first.
    func render() -> [UInt8] {
        poolInUse.set(Double(engine.connectionsInUse))
        return registry.emitToBuffer()
    }
}
