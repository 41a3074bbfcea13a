import CoreMetrics
import Foundation
import Telemetry
import Testing

@Suite("Metrics registry and Prometheus rendering")
struct MetricsRegistryTests {
    @Test("Counters, gauges and histograms render in the Prometheus text format")
    func prometheusText() {
        let registry = MetricsRegistry(buckets: [0.1, 1])
        Counter(label: "payment_status_total", dimensions: [("status", "completed")], factory: registry).increment(
            by: 3)
        Gauge(label: "bank_circuit_state", factory: registry).record(2)
        let histogram = Recorder(
            label: "bank_request_duration_seconds", dimensions: [("operation", "submit")], factory: registry)
        histogram.record(0.05)
        histogram.record(0.5)
        histogram.record(5)
        let text = PrometheusRenderer.render(registry.snapshot(), format: .prometheus)
        #expect(text.contains("# TYPE payment_status_total counter\npayment_status_total{status=\"completed\"} 3\n"))
        #expect(
            text.contains(
                "# HELP bank_circuit_state bank circuit state\n# TYPE bank_circuit_state gauge\nbank_circuit_state 2\n")
        )
        #expect(text.contains("bank_request_duration_seconds_bucket{operation=\"submit\",le=\"0.1\"} 1\n"))
        #expect(text.contains("bank_request_duration_seconds_bucket{operation=\"submit\",le=\"1\"} 2\n"))
        #expect(text.contains("bank_request_duration_seconds_bucket{operation=\"submit\",le=\"+Inf\"} 3\n"))
        #expect(text.contains("bank_request_duration_seconds_sum{operation=\"submit\"} 5.55\n"))
        #expect(text.contains("bank_request_duration_seconds_count{operation=\"submit\"} 3\n"))
        #expect(!text.contains("# EOF"))
    }

    @Test("OpenMetrics names counter families without _total, ends with # EOF and carries exemplars")
    func openMetricsWithExemplars() {
        let registry = MetricsRegistry(buckets: [1]) {
            Exemplar.Context(traceID: String(repeating: "a", count: 32), spanID: String(repeating: "b", count: 16))
        }
        Counter(label: "webhook_rejected_total", dimensions: [("reason", "stale")], factory: registry).increment()
        Recorder(label: "payment_webhook_latency_seconds", factory: registry).record(0.002)
        let text = PrometheusRenderer.render(registry.snapshot(), format: .openMetrics)
        #expect(text.contains("# TYPE webhook_rejected counter\nwebhook_rejected_total{reason=\"stale\"} 1\n"))
        #expect(
            text.contains(
                "payment_webhook_latency_seconds_bucket{le=\"1\"} 1 # {trace_id=\"\(String(repeating: "a", count: 32))\",span_id=\"\(String(repeating: "b", count: 16))\"} 0.002 "
            ))
        #expect(text.hasSuffix("# EOF\n"))
        #expect(
            PrometheusRenderer.Format.negotiate(accept: "application/openmetrics-text; version=1.0.0") == .openMetrics)
        #expect(PrometheusRenderer.Format.negotiate(accept: "text/plain") == .prometheus)
    }

    @Test("Destroying a series removes it; label values are escaped")
    func destroyAndEscape() {
        let registry = MetricsRegistry()
        let gauge = Gauge(label: "payment_retry_count", dimensions: [("payment_id", "p\"1\\")], factory: registry)
        gauge.record(2)
        #expect(
            PrometheusRenderer.render(registry.snapshot(), format: .prometheus).contains(
                #"payment_retry_count{payment_id="p\"1\\"} 2"#))
        gauge.destroy()
        #expect(!PrometheusRenderer.render(registry.snapshot(), format: .prometheus).contains("payment_retry_count"))
    }
}
