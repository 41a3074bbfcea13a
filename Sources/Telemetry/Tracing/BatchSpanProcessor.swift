import ServiceLifecycle
import Synchronization
import Tracing

/// Queues ended spans and exports them in batches, per the OpenTelemetry SDK's batching processor, as a
/// swift-service-lifecycle `Service`.
///
/// - Ending a span costs one uncontended lock and an append; a full queue drops the span and counts it in
///   ``droppedSpanCount`` (read it for `telemetry_spans_dropped_total`) instead of growing without bound.
/// - A batch is exported when it reaches `maxExportBatchSize` or `scheduleDelay` after the previous export, strictly
///   one export at a time; an export past `exportTimeout` is cancelled and counted in ``failedExportCount``.
/// - On graceful shutdown, every span ended before the signal (and any that end during the flush) is exported,
///   then the exporter is flushed and shut down; all of it within `shutdownTimeout`, even if the exporter hangs.
///
/// Put it in the `ServiceGroup` before the services that create spans, so it stops last:
///
/// ```swift
/// let processor = BatchSpanProcessor(exporter: exporter, configuration: try .init(environment: env))
/// InstrumentationSystem.bootstrap(TelemetryTracer(processor: processor))
/// let group = ServiceGroup(services: [processor, database, workers, server], logger: logger)
/// try await group.run()
/// ```
public final class BatchSpanProcessor<C: Clock>: SpanProcessor, Service, CustomStringConvertible
where C.Duration == Duration {
    private struct Queue {
        var spans: [FinishedSpan] = []
        var isShuttingDown = false
        var isClosed = false
        var interruptibleWait: BatchExportOutcomeBox?
    }

    /// The settings in use.
    ///
    /// ```swift
    /// processor.configuration.maxQueueSize   // 2048
    /// ```
    public let configuration: BatchSpanProcessorConfiguration
    private let exporter: any SpanExporter
    private let clock: C
    private let queue: Mutex<Queue>
    private let wakeUp = BatchWorkerWakeUp()
    private let dropped = Atomic<Int>(0)
    private let exported = Atomic<Int>(0)
    private let failedExports = Atomic<Int>(0)

    /// An export the worker stopped waiting for, with the number of spans it carries.
    private struct InFlightExport {
        var task: Task<Void, any Error>
        var spanCount: Int
    }

    /// Creates a processor timed by `clock` (inject a test clock to control time in tests).
    ///
    /// ```swift
    /// let processor = BatchSpanProcessor(exporter: InMemorySpanExporter(), configuration: .default, clock: .continuous)
    /// ```
    public init(exporter: some SpanExporter, configuration: BatchSpanProcessorConfiguration = .default, clock: C) {
        self.exporter = exporter
        self.configuration = configuration
        self.clock = clock
        var queue = Queue()
        queue.spans.reserveCapacity(configuration.maxExportBatchSize)
        self.queue = Mutex(queue)
    }

    /// A name for service-group logs.
    public var description: String { "BatchSpanProcessor" }

    /// Spans dropped so far because the queue was full or the processor had shut down; never decreases.
    ///
    /// ```swift
    /// let counter = Counter(label: "telemetry_spans_dropped_total", dimensions: [("signal", "traces")])
    /// counter.increment(by: processor.droppedSpanCount - lastReported)
    /// ```
    public var droppedSpanCount: Int { dropped.load(ordering: .relaxed) }

    /// Spans handed to the exporter in batches that succeeded.
    ///
    /// ```swift
    /// processor.exportedSpanCount   // 1024
    /// ```
    public var exportedSpanCount: Int { exported.load(ordering: .relaxed) }

    /// Export calls that threw or timed out (for `telemetry_export_failures_total`); their spans are not retried
    /// here — retrying is the exporter's business, per the OTLP specification.
    ///
    /// ```swift
    /// processor.failedExportCount   // 0
    /// ```
    public var failedExportCount: Int { failedExports.load(ordering: .relaxed) }

    /// Queues a sampled span; called by ``TelemetrySpan/end(at:)``, rarely by hand.
    ///
    /// ```swift
    /// processor.onEnd(finishedSpan)   // replaying a span recorded elsewhere
    /// ```
    public func onEnd(_ span: FinishedSpan) {
        let batchSize = configuration.maxExportBatchSize
        let maxQueueSize = configuration.maxQueueSize
        let accepted: Bool? = queue.withLock { queue in
            guard !queue.isClosed, queue.spans.count < maxQueueSize else { return nil }
            queue.spans.append(span)
            return queue.spans.count == batchSize
        }
        switch accepted {
        case nil: dropped.add(1, ordering: .relaxed)
        case true?: wakeUp.signal()
        case false?: break
        }
    }

    /// Asks the worker to export what is queued now instead of waiting for the delay; returns at once.
    ///
    /// ```swift
    /// await processor.forceFlush()
    /// ```
    public func forceFlush() async {
        wakeUp.signal()
    }

    /// Starts the graceful shutdown that a `ServiceGroup` would start, for use without one.
    ///
    /// ```swift
    /// async let done: Void = processor.run()
    /// processor.triggerGracefulShutdown()
    /// try await done
    /// ```
    public func triggerGracefulShutdown() {
        let wait: BatchExportOutcomeBox? = queue.withLock { queue in
            queue.isShuttingDown = true
            defer { queue.interruptibleWait = nil }
            return queue.interruptibleWait
        }
        wait?.resolve(.interrupted)
        wakeUp.signal()
    }

    /// Exports until graceful shutdown, then flushes within `shutdownTimeout`. Cancellation stops it at once.
    ///
    /// ```swift
    /// let group = ServiceGroup(services: [processor, server], gracefulShutdownSignals: [.sigterm], logger: logger)
    /// try await group.run()   // calls processor.run()
    /// ```
    public func run() async throws {
        let inFlight = await withGracefulShutdownHandler {
            await exportUntilShutdown()
        } onGracefulShutdown: {
            self.triggerGracefulShutdown()
        }
        await drain(inFlight: inFlight)
    }

    // MARK: - Worker

    /// The steady state. Returns an export still running when shutdown interrupted the wait for it.
    private func exportUntilShutdown() async -> InFlightExport? {
        var inFlight: InFlightExport?
        while !Task.isCancelled, !isShuttingDown {
            if queuedCount < configuration.maxExportBatchSize {
                await waitForBatchOrDelay()
                if Task.isCancelled || isShuttingDown { break }
            } else {
                // A full batch goes now; the signal that announced it must not later cut a partial batch short.
                wakeUp.clearPending()
            }
            // An export abandoned after its timeout must end before the next starts: exports never overlap.
            if let previous = inFlight {
                guard await wait(for: previous.task, timeout: nil, interruptible: true) != .interrupted else { break }
                inFlight = nil
            }
            guard let batch = takeBatch() else { continue }
            let task = startExport(batch)
            switch await wait(for: task, timeout: configuration.exportTimeout, interruptible: true) {
            case .succeeded: exported.add(batch.count, ordering: .relaxed)
            case .failed: failedExports.add(1, ordering: .relaxed)
            case .timedOut:
                task.cancel()
                failedExports.add(1, ordering: .relaxed)
                inFlight = InFlightExport(task: task, spanCount: 0)  // already counted as failed
            case .interrupted:
                // Not cancelled: the drain gives it the rest of the shutdown budget.
                return InFlightExport(task: task, spanCount: batch.count)
            }
        }
        return inFlight
    }

    private func waitForBatchOrDelay() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await self.clock.sleep(for: self.configuration.scheduleDelay) }
            group.addTask { await self.wakeUp.wait() }
            _ = await group.next()
            group.cancelAll()
        }
    }

    /// Exports everything queued, one batch at a time, then flushes and shuts down the exporter, all before the
    /// shutdown deadline; what cannot be sent in time is counted as dropped.
    private func drain(inFlight: InFlightExport?) async {
        let deadline = clock.now.advanced(by: configuration.shutdownTimeout)
        var exporterIsBusy = false
        if let inFlight {
            switch await wait(for: inFlight.task, timeout: remaining(until: deadline), interruptible: false) {
            case .succeeded: exported.add(inFlight.spanCount, ordering: .relaxed)
            case .failed: if inFlight.spanCount > 0 { failedExports.add(1, ordering: .relaxed) }
            case .timedOut, .interrupted:
                inFlight.task.cancel()
                if inFlight.spanCount > 0 { failedExports.add(1, ordering: .relaxed) }
                exporterIsBusy = true
            }
        }
        while !exporterIsBusy, !Task.isCancelled, remaining(until: deadline) > .zero, let batch = takeBatch() {
            let task = startExport(batch)
            let timeout = min(configuration.exportTimeout, remaining(until: deadline))
            switch await wait(for: task, timeout: timeout, interruptible: false) {
            case .succeeded: exported.add(batch.count, ordering: .relaxed)
            case .failed: failedExports.add(1, ordering: .relaxed)
            case .timedOut, .interrupted:
                task.cancel()
                failedExports.add(1, ordering: .relaxed)
                // Give the cancelled export what is left of the budget to wind down before starting another.
                let outcome = await wait(for: task, timeout: remaining(until: deadline), interruptible: false)
                exporterIsBusy = outcome == .timedOut || outcome == .interrupted
            }
        }
        let leftover: Int = queue.withLock { queue in
            queue.isClosed = true
            defer { queue.spans = [] }
            return queue.spans.count
        }
        if leftover > 0 { dropped.add(leftover, ordering: .relaxed) }
        let exporter = exporter
        if !exporterIsBusy {
            let flush = Task { try await exporter.forceFlush() }
            if await wait(for: flush, timeout: remaining(until: deadline), interruptible: false) != .succeeded {
                flush.cancel()
            }
        }
        let shutdown = Task<Void, any Error> { await exporter.shutdown() }
        if await wait(for: shutdown, timeout: remaining(until: deadline), interruptible: false) != .succeeded {
            shutdown.cancel()
        }
    }

    // MARK: - Helpers

    private var isShuttingDown: Bool { queue.withLock { $0.isShuttingDown } }
    private var queuedCount: Int { queue.withLock { $0.spans.count } }

    private func remaining(until deadline: C.Instant) -> Duration {
        max(.zero, clock.now.duration(to: deadline))
    }

    private func takeBatch() -> [FinishedSpan]? {
        let batchSize = configuration.maxExportBatchSize
        return queue.withLock { queue -> [FinishedSpan]? in
            if queue.spans.isEmpty { return nil }
            if queue.spans.count <= batchSize {
                var batch: [FinishedSpan] = []
                swap(&batch, &queue.spans)
                return batch
            }
            let batch = Array(queue.spans[..<batchSize])
            queue.spans.removeFirst(batchSize)
            return batch
        }
    }

    /// Runs the export in its own task so the worker can stop waiting for it; it inherits no task-local
    /// service context, so spans the exporter's HTTP client might create never become children of ours.
    private func startExport(_ batch: [FinishedSpan]) -> Task<Void, any Error> {
        let exporter = exporter
        return Task {
            try await ServiceContext.$current.withValue(nil) {
                try await exporter.export(batch)
            }
        }
    }

    /// Waits for `task` until it ends, `timeout` passes, or — when `interruptible` — graceful shutdown begins.
    private func wait(
        for task: Task<Void, any Error>, timeout: Duration?, interruptible: Bool
    ) async -> BatchExportOutcome {
        let outcome = BatchExportOutcomeBox()
        let watcher = Task {
            switch await task.result {
            case .success: outcome.resolve(.succeeded)
            case .failure: outcome.resolve(.failed)
            }
        }
        let clock = clock
        let timer: Task<Void, Never>? = timeout.map { timeout in
            Task {
                do {
                    try await clock.sleep(for: timeout)
                    outcome.resolve(.timedOut)
                } catch {}  // cancelled: the export ended first
            }
        }
        if interruptible {
            let alreadyShuttingDown: Bool = queue.withLock { queue in
                if queue.isShuttingDown { return true }
                queue.interruptibleWait = outcome
                return false
            }
            if alreadyShuttingDown { outcome.resolve(.interrupted) }
        }
        let result = await withTaskCancellationHandler {
            await outcome.value()
        } onCancel: {
            outcome.resolve(.interrupted)
        }
        watcher.cancel()
        timer?.cancel()
        if interruptible {
            queue.withLock { queue in
                if queue.interruptibleWait === outcome { queue.interruptibleWait = nil }
            }
        }
        return result
    }
}

extension BatchSpanProcessor where C == ContinuousClock {
    /// Creates a processor timed by the continuous clock.
    ///
    /// ```swift
    /// let processor = BatchSpanProcessor(exporter: otlpExporter)
    /// ```
    public convenience init(exporter: some SpanExporter, configuration: BatchSpanProcessorConfiguration = .default) {
        self.init(exporter: exporter, configuration: configuration, clock: .continuous)
    }
}
