import PaymentsSupport
import ServiceLifecycle
import Synchronization
import Tracing

/// Queues finished items (spans, log records) and exports them in batches, per the OpenTelemetry SDK's batching
/// processors, as a swift-service-lifecycle `Service`.
///
/// - Enqueueing costs one uncontended lock and an append; a full queue drops the item and counts it in
///   ``droppedCount`` (read it for `telemetry_spans_dropped_total{signal}`) instead of growing without bound.
/// - A batch is exported when it reaches `maxExportBatchSize` or `scheduleDelay` after the previous export, strictly
///   one export at a time; an export past `exportTimeout` is cancelled and counted in ``failedExportCount``.
/// - On graceful shutdown, every item queued before the signal (and any queued during the flush) is exported,
///   then the exporter is flushed and shut down; all of it within `shutdownTimeout`, even if the exporter hangs.
///
/// For spans it is ``BatchSpanProcessor``; put it in the `ServiceGroup` before the services that create spans, so
/// it stops last:
public final class BatchProcessor<Item: Sendable, C: Clock>: Service, CustomStringConvertible
where C.Duration == Duration {
    /// Where batches go: the three calls of an exporter, made strictly one at a time.
    public struct Exporting: Sendable {
        /// Exports one batch; throwing marks it as failed (it is not re-queued).
        public var export: @Sendable ([Item]) async throws -> Void
        /// Pushes out anything the exporter itself buffers.
        public var forceFlush: @Sendable () async throws -> Void
        /// Releases resources; called once, after the last export.
        public var shutdown: @Sendable () async -> Void

        /// Creates the calls.
        public init(
            export: @escaping @Sendable ([Item]) async throws -> Void,
            forceFlush: @escaping @Sendable () async throws -> Void = {},
            shutdown: @escaping @Sendable () async -> Void = {}
        ) {
            self.export = export
            self.forceFlush = forceFlush
            self.shutdown = shutdown
        }
    }

    private struct Queue {
        var items: [Item] = []
        var isShuttingDown = false
        var isClosed = false
        var interruptibleWait: BatchExportOutcomeBox?
    }

    /// The settings in use.
    public let configuration: BatchProcessorConfiguration
    private let name: String
    private let exporter: Exporting
    /// Told of every drop as it happens, so that a drop counter is current when metrics are read.
    private let onDrop: (@Sendable (Int) -> Void)?
    private let clock: C
    private let queue: Mutex<Queue>
    private let wakeUp = WakeUpSignal()
    private let dropped = Atomic<Int>(0)
    private let exported = Atomic<Int>(0)
    private let failedExports = Atomic<Int>(0)

    /// An export the worker stopped waiting for, with the number of items it carries.
    private struct InFlightExport {
        var task: Task<Void, any Error>
        var itemCount: Int
    }

    /// Creates a processor timed by `clock` (inject a test clock to control time in tests); `name` is how
    /// service-group logs call it.
    public init(
        name: String, exporting: Exporting, configuration: BatchProcessorConfiguration = .default, clock: C,
        onDrop: (@Sendable (Int) -> Void)? = nil
    ) {
        self.name = name
        self.exporter = exporting
        self.onDrop = onDrop
        self.configuration = configuration
        self.clock = clock
        var queue = Queue()
        queue.items.reserveCapacity(configuration.maxExportBatchSize)
        self.queue = Mutex(queue)
    }

    /// A name for service-group logs.
    public var description: String { name }

    /// Items dropped so far because the queue was full or the processor had shut down; never decreases.
    public var droppedCount: Int { dropped.load(ordering: .relaxed) }

    /// Items handed to the exporter in batches that succeeded.
    public var exportedCount: Int { exported.load(ordering: .relaxed) }

    /// Export calls that threw or timed out (for `telemetry_export_failures_total`); their items are not retried
    /// here — retrying is the exporter's business, per the OTLP specification.
    public var failedExportCount: Int { failedExports.load(ordering: .relaxed) }

    /// Queues an item; never blocks. Returns at once whether or not the item was taken (a drop is counted).
    public func enqueue(_ item: Item) {
        let batchSize = configuration.maxExportBatchSize
        let maxQueueSize = configuration.maxQueueSize
        let accepted: Bool? = queue.withLock { queue in
            guard !queue.isClosed, queue.items.count < maxQueueSize else { return nil }
            queue.items.append(item)
            return queue.items.count == batchSize
        }
        switch accepted {
        case nil:
            dropped.add(1, ordering: .relaxed)
            onDrop?(1)
        case true?: wakeUp.notify()
        case false?: break
        }
    }

    /// Asks the worker to export what is queued now instead of waiting for the delay; returns at once.
    public func forceFlush() async {
        wakeUp.notify()
    }

    /// Starts the graceful shutdown that a `ServiceGroup` would start, for use without one.
    public func triggerGracefulShutdown() {
        let wait: BatchExportOutcomeBox? = queue.withLock { queue in
            queue.isShuttingDown = true
            defer { queue.interruptibleWait = nil }
            return queue.interruptibleWait
        }
        wait?.resolve(.interrupted)
        wakeUp.notify()
    }

    /// Exports until graceful shutdown, then flushes within `shutdownTimeout`. Cancellation stops it at once.
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
                inFlight = InFlightExport(task: task, itemCount: 0)  // already counted as failed
            case .interrupted:
                // Not cancelled: the drain gives it the rest of the shutdown budget.
                return InFlightExport(task: task, itemCount: batch.count)
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
            case .succeeded: exported.add(inFlight.itemCount, ordering: .relaxed)
            case .failed: if inFlight.itemCount > 0 { failedExports.add(1, ordering: .relaxed) }
            case .timedOut, .interrupted:
                inFlight.task.cancel()
                if inFlight.itemCount > 0 { failedExports.add(1, ordering: .relaxed) }
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
            defer { queue.items = [] }
            return queue.items.count
        }
        if leftover > 0 {
            dropped.add(leftover, ordering: .relaxed)
            onDrop?(leftover)
        }
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
    private var queuedCount: Int { queue.withLock { $0.items.count } }

    private func remaining(until deadline: C.Instant) -> Duration {
        max(.zero, clock.now.duration(to: deadline))
    }

    private func takeBatch() -> [Item]? {
        let batchSize = configuration.maxExportBatchSize
        return queue.withLock { queue -> [Item]? in
            if queue.items.isEmpty { return nil }
            if queue.items.count <= batchSize {
                var batch: [Item] = []
                swap(&batch, &queue.items)
                return batch
            }
            let batch = Array(queue.items[..<batchSize])
            queue.items.removeFirst(batchSize)
            return batch
        }
    }

    /// Runs the export in its own task so the worker can stop waiting for it; it inherits no task-local
    /// service context, so spans the exporter's HTTP client might create never become children of ours.
    private func startExport(_ batch: [Item]) -> Task<Void, any Error> {
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
