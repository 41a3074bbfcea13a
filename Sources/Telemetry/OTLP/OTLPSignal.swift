/// The three OTLP signals. The raw value is the `signal` label of the exporter's health metrics
/// (`telemetry_export_failures_total{signal="traces"}`) and the last path segment of the endpoint (`/v1/traces`).
public enum OTLPSignal: String, Sendable, Hashable, CaseIterable {
    /// Spans.
    case traces
    /// Metric data points.
    case metrics
    /// Log records.
    case logs
}
