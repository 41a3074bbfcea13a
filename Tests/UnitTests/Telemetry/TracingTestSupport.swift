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

/// A finished span for processor tests.
func makeTestFinishedSpan(_ name: String = "span") -> FinishedSpan {
    FinishedSpan(
        context: SpanContext(traceID: .random(), spanID: .random(), traceFlags: .sampled), parentSpanID: nil,
        name: name, kind: .internal, startTimeNanosecondsSinceEpoch: 1, endTimeNanosecondsSinceEpoch: 2)
}
