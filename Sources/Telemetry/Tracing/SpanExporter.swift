/// Sends batches of finished spans somewhere (OTLP/HTTP, memory, stdout).
///
/// A ``BatchSpanProcessor`` calls ``export(_:)`` strictly one call at a time and cancels a call that outlives the
/// export timeout, so implementations need no internal queueing but should honour task cancellation.
public protocol SpanExporter: Sendable {
    /// Exports one batch; throwing marks the batch as failed (it is not re-queued).
    func export(_ batch: [FinishedSpan]) async throws
    /// Pushes out anything the exporter itself buffers.
    func forceFlush() async throws
    /// Releases resources; called once, after the last export.
    func shutdown() async
}
