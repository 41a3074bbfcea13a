import Synchronization

/// Keeps exported spans in memory: a test double, like swift-log's `InMemoryLogHandler`.
public final class InMemorySpanExporter: SpanExporter {
    private struct State {
        var batches: [[FinishedSpan]] = []
        var forceFlushCount = 0
        var isShutDown = false
    }

    private let state = Mutex(State())

    /// Creates an empty exporter.
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
    public var batches: [[FinishedSpan]] { state.withLock { $0.batches } }

    /// Every span, in export order.
    public var spans: [FinishedSpan] { state.withLock { $0.batches.flatMap { $0 } } }

    /// How often ``forceFlush()`` was called.
    public var forceFlushCount: Int { state.withLock { $0.forceFlushCount } }

    /// Whether ``shutdown()`` was called.
    public var isShutDown: Bool { state.withLock { $0.isShutDown } }

    /// Forgets everything exported so far.
    public func reset() {
        state.withLock { $0.batches = [] }
    }
}
