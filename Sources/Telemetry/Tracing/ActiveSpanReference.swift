import Synchronization
import Tracing

/// How ``TelemetryTracer/activeSpan(identifiedBy:)`` finds a span from its context: the context carries this
/// reference beside the span context (`StoredSpanContext`). It holds the span weakly (the span holds the context, so
/// a strong reference would never be freed) until the span ends.
final class ActiveSpanReference: Sendable {
    private struct Weak {
        weak var span: TelemetrySpan?
    }

    private let reference = Mutex(Weak())

    /// The span while it is alive and recording.
    var span: TelemetrySpan? {
        reference.withLock { $0.span }
    }

    func set(_ span: TelemetrySpan?) {
        reference.withLock { $0.span = span }
    }
}
