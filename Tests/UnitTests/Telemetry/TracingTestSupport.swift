import Synchronization
import Telemetry

/// Collects ended spans synchronously, so tracer tests need no exporter or timing.
final class CollectingSpanProcessor: SpanProcessor {
    private let storage = Mutex<[FinishedSpan]>([])

    func onEnd(_ span: FinishedSpan) {
        storage.withLock { $0.append(span) }
    }

    func forceFlush() async {}

    var spans: [FinishedSpan] { storage.withLock { $0 } }
}

/// Polls `condition` until it holds or `timeout` passes; for background work whose timing is only roughly known.
func tracingEventually(timeout: Duration = .seconds(15), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// A finished span for processor tests.
func makeTestFinishedSpan(_ name: String = "span") -> FinishedSpan {
    FinishedSpan(
        context: SpanContext(traceID: .random(), spanID: .random(), traceFlags: .sampled), parentSpanID: nil,
        name: name, kind: .internal, startTimeNanosecondsSinceEpoch: 1, endTimeNanosecondsSinceEpoch: 2)
}
