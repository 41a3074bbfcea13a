/// Receives every sampled span when it ends. ``BatchSpanProcessor`` is the one to use in production.
///
/// ``onEnd(_:)`` runs on the caller's thread at the end of each span, so it must be cheap and must never block.
public protocol SpanProcessor: Sendable {
    /// Takes an ended, sampled span.
    func onEnd(_ span: FinishedSpan)
    /// Exports what is queued, as far as the processor can without shutting down.
    func forceFlush() async
}
