// The workloads, shared by the benchmark and the profiling executable so that both run the same code.
import CoreMetrics
import Foundation
import Tracing

/// Payment ids (36 characters like a UUID's, so heap strings, as real ids are; the same in every run, so that
/// instruction counts repeat) and client references set on each span.
public let paymentIDs: [String] = (0..<64).map { i in
    "3f2c9a1e-\(String(format: "%04x", i))-4b7d-9e21-\(String(format: "%012llx", UInt64(i) &* 0x9e37_79b9_7f4a))"
}
public let clientRefs: [String] = (0..<64).map { "INV-\(100_000 + $0 * 7919)" }

/// One span as application code makes it: started from the current context (none here, so a root span and a new
/// trace), two string attributes, ended. Generic and inlinable, so that each caller gets a copy specialised for its
/// tracer's concrete type (kept out of line, so that profiles can find it by name).
@inlinable
@inline(never)
public func makeSpans<T: Tracer>(_ tracer: T, count: Int, offset: Int) {
    for i in offset..<(offset + count) {
        let span = tracer.startSpan(
            "PaymentOrchestrator.create", context: ServiceContext.current ?? .topLevel, ofKind: .server)
        span.attributes["payment_id"] = paymentIDs[i & 63]
        span.attributes["client_ref"] = clientRefs[i & 63]
        span.end()
        blackHole(span)
    }
}

/// Durations in seconds recorded into the histogram: spread over the buckets, from 0.3 ms to about 16 s.
public let recordedSeconds: [Double] = (0..<64).map { 0.0003 * pow(2, Double($0) / 4) }

/// One metric event as the application makes it, with handles made once: a status counter and a latency
/// histogram (an aggregating `Recorder`, as `bank_request_duration_seconds` and the webhook latency are).
public struct MetricHandles: Sendable {
    public let counter: Counter
    public let histogram: Recorder

    public init(factory: any MetricsFactory) {
        counter = Counter(label: "payment_status_total", dimensions: [("status", "completed")], factory: factory)
        histogram = Recorder(
            label: "bank_request_duration_seconds", dimensions: [("operation", "submit"), ("outcome", "accepted")],
            aggregate: true, factory: factory)
    }
}

/// `count` metric events: one counter increment and one histogram record each.
@inline(never)
public func recordMetrics(_ handles: MetricHandles, count: Int, offset: Int) {
    for i in offset..<(offset + count) {
        handles.counter.increment()
        handles.histogram.record(recordedSeconds[i & 63])
    }
    blackHole(handles)
}

/// Keeps a value alive as far as the optimiser can tell, so the work that produced it is not removed.
@inline(never)
@_optimize(none)
public func blackHole<T>(_ value: T) {}
