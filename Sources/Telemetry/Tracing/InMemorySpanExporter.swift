import Synchronization

/// Keeps exported spans in memory: a test double, like swift-log's `InMemoryLogHandler`.
///
/// ```swift
/// let exporter = InMemorySpanExporter()
/// let processor = BatchSpanProcessor(exporter: exporter)
/// let tracer = TelemetryTracer(processor: processor)
/// tracer.withSpan("work") { _ in }
/// // after an export:
/// exporter.spans.map(\.name)   // ["work"]
/// ```
public final class InMemorySpanExporter: SpanExporter {
    private struct State {
        var batches: [[FinishedSpan]] = []
        var forceFlushCount = 0
        var isShutDown = false
    }

    private let state = Mutex(State())

    /// Creates an empty exporter.
    ///
    /// ```swift
    /// let exporter = InMemorySpanExporter()
    /// ```
    public init() {}

    /// Records the batch.
    public func export(_ batch: [FinishedSpan]) async throws {
        state.withLock { $0.batches.append(batch) }
    }

    /// Counts the call.
    public func forceFlush() async throws {
        state.withLock { $0.forceFlushCount += 1 }
    }

    /// Marks the exporter shut down.
    public func shutdown() async {
        state.withLock { $0.isShutDown = true }
    }

    /// Every batch, in export order.
    ///
    /// ```swift
    /// exporter.batches.map(\.count)   // [512, 512, 3]
    /// ```
    public var batches: [[FinishedSpan]] { state.withLock { $0.batches } }

    /// Every span, in export order.
    ///
    /// ```swift
    /// exporter.spans.first?.name   // "GET /v1/orders"
    /// ```
    public var spans: [FinishedSpan] { state.withLock { $0.batches.flatMap { $0 } } }

    /// How often ``forceFlush()`` was called.
    public var forceFlushCount: Int { state.withLock { $0.forceFlushCount } }

    /// Whether ``shutdown()`` was called.
    public var isShutDown: Bool { state.withLock { $0.isShutDown } }

    /// Forgets everything exported so far.
    ///
    /// ```swift
    /// exporter.reset()
    /// ```
    public func reset() {
        state.withLock { $0.batches = [] }
    }
}
