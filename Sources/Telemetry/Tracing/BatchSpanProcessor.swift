/// The batching span processor of the OpenTelemetry SDK: a ``BatchProcessor`` of finished spans, fed by
/// ``TelemetrySpan/end(at:)`` through ``SpanProcessor/onEnd(_:)``.
public typealias BatchSpanProcessor<C: Clock> = BatchProcessor<FinishedSpan, C> where C.Duration == Duration

extension BatchProcessor: SpanProcessor where Item == FinishedSpan {
    /// Creates a span processor timed by `clock` (inject a test clock to control time in tests).
    public convenience init(
        exporter: some SpanExporter, configuration: BatchProcessorConfiguration = .default, clock: C,
        onDrop: (@Sendable (Int) -> Void)? = nil
    ) {
        self.init(
            name: "BatchSpanProcessor",
            exporting: Exporting(
                export: { try await exporter.export($0) }, forceFlush: { try await exporter.forceFlush() },
                shutdown: { await exporter.shutdown() }),
            configuration: configuration, clock: clock, onDrop: onDrop)
    }

    /// Queues a sampled span; called by ``TelemetrySpan/end(at:)``, rarely by hand.
    public func onEnd(_ span: FinishedSpan) {
        enqueue(span)
    }
}

extension BatchProcessor where Item == FinishedSpan, C == ContinuousClock {
    /// Creates a span processor timed by the continuous clock.
    public convenience init(
        exporter: some SpanExporter, configuration: BatchProcessorConfiguration = .default,
        onDrop: (@Sendable (Int) -> Void)? = nil
    ) {
        self.init(exporter: exporter, configuration: configuration, clock: .continuous, onDrop: onDrop)
    }
}
