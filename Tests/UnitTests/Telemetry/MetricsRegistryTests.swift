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
            Exemplar.Context(
                traceID: TraceID(hexString: String(repeating: "a", count: 32))!,
                spanID: SpanID(hexString: String(repeating: "b", count: 16))!)
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

    @Test("Threads recording into the same series at once lose no count, sum or gauge step")
    func concurrentRecording() async {
        let registry = MetricsRegistry(buckets: [0.25, 1])
        let counter = Counter(label: "payment_status_total", factory: registry)
        let histogram = Recorder(label: "bank_request_duration_seconds", factory: registry)
        let active = Meter(label: "http_server_active_requests", factory: registry)
        let tasks = 8
        let perTask = 20_000
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for index in 0..<perTask {
                        counter.increment()
                        // Binary fractions, so the expected sum is exact.
                        histogram.record(index.isMultiple(of: 2) ? 0.5 : 0.125 * Double(task % 2 + 1))
                        active.increment()
                        active.decrement()
                    }
                }
            }
        }
        let families = Dictionary(uniqueKeysWithValues: registry.snapshot().map { ($0.name, $0.samples[0].value) })
        guard case .counter(let count) = families["payment_status_total"],
            case .histogram(let recorded) = families["bank_request_duration_seconds"],
            case .gauge(let inFlight) = families["http_server_active_requests"]
        else {
            Issue.record("missing series: \(families.keys.sorted())")
            return
        }
        let total = tasks * perTask
        #expect(count == Double(total))
        #expect(recorded.count == UInt64(total))
        // Half the values are 0.5 (bucket le=1); the others 0.125 or 0.25 (le=0.25), by task.
        #expect(recorded.counts == [UInt64(total / 2), UInt64(total / 2), 0])
        let expectedSum = Double(total / 2) * 0.5 + Double(tasks / 2 * perTask / 2) * (0.125 + 0.25)
        #expect(recorded.sum == expectedSum)
        #expect(inFlight == 0)
    }

    @Test(
        "A value goes to the first bucket whose bound holds it (le, inclusive); NaN and beyond the last to +Inf",
        arguments: [
            (-1.0, 0), (0.1, 0), (0.100001, 1), (1, 1), (9.99, 2), (10, 2), (11, 3), (.infinity, 3), (.nan, 3),
        ])
    func bucketChoice(value: Double, bucket: Int) {
        let registry = MetricsRegistry(buckets: [0.1, 1, 10])
        Recorder(label: "bank_request_duration_seconds", factory: registry).record(value)
        guard case .histogram(let recorded) = registry.snapshot().first?.samples.first?.value else {
            Issue.record("no histogram")
            return
        }
        var expected: [UInt64] = [0, 0, 0, 0]
        expected[bucket] = 1
        #expect(recorded.counts == expected)
    }

    @Test("Each bucket keeps its latest exemplar, whichever thread recorded it")
    func latestExemplarPerBucket() async {
        let traces = (1...4).map { TraceID(high: 0, low: UInt64($0)) }
        let registry = MetricsRegistry(buckets: [1]) {
            Exemplar.Context(traceID: ExemplarProbe.trace ?? traces[0], spanID: SpanID(rawValue: 1))
        }
        let histogram = Recorder(label: "payment_webhook_latency_seconds", factory: registry)
        await withTaskGroup(of: Void.self) { group in
            for trace in traces.dropLast() {
                group.addTask { ExemplarProbe.$trace.withValue(trace) { histogram.record(0.5) } }
            }
        }
        // A bucket takes one exemplar per stripe and epoch (100 ms): wait for the next.
        try? await Task.sleep(for: .milliseconds(250))
        ExemplarProbe.$trace.withValue(traces[3]) { histogram.record(0.75) }
        guard case .histogram(let recorded) = registry.snapshot().first?.samples.first?.value else {
            Issue.record("no histogram")
            return
        }
        #expect(recorded.exemplars[0]?.context.traceID == traces[3])
        #expect(recorded.exemplars[0]?.value == 0.75)
        #expect(recorded.exemplars[1] == nil)
    }
}

/// The trace a test's exemplar context reports, per task.
private enum ExemplarProbe {
    @TaskLocal static var trace: TraceID?
}
