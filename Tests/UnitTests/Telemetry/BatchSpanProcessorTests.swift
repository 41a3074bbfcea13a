import Synchronization
import Telemetry
import TestSupport
import Testing

@Suite struct BatchSpanProcessorTests {
    /// Counts concurrent `export` calls and can be slowed down.
    final class ConcurrencyCountingExporter: SpanExporter {
        private struct State {
            var current = 0
            var maximum = 0
            var spans = 0
        }

        private let state = Mutex(State())
        let delay: Duration

        init(delay: Duration) { self.delay = delay }

        func export(_ batch: [FinishedSpan]) async throws {
            state.withLock {
                $0.current += 1
                $0.maximum = max($0.maximum, $0.current)
            }
            try? await Task.sleep(for: delay)
            state.withLock {
                $0.current -= 1
                $0.spans += batch.count
            }
        }

        func forceFlush() async throws {}
        func shutdown() async {}

        var maximumConcurrentExports: Int { state.withLock { $0.maximum } }
        var exportedSpans: Int { state.withLock { $0.spans } }
    }

    /// Never returns from `export` and ignores cancellation, like a collector that accepted the connection and
    /// went silent behind a client without timeouts.
    final class HangingExporter: SpanExporter {
        let calls = Atomic<Int>(0)

        func export(_ batch: [FinishedSpan]) async throws {
            calls.add(1, ordering: .relaxed)
            await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in }
        }

        func forceFlush() async throws {
            await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in }
        }

        func shutdown() async {
            await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in }
        }
    }

    /// Runs `body` while `processor` runs, then shuts the processor down and waits for it to stop.
    private func whileRunning<C: Clock>(
        _ processor: BatchSpanProcessor<C>, _ body: () async throws -> Void
    ) async throws where C.Duration == Duration {
        let running = Task { try await processor.run() }
        try await body()
        processor.triggerGracefulShutdown()
        try await running.value
    }

    @Test func exportsAsSoonAsABatchFills() async throws {
        let exporter = InMemorySpanExporter()
        let processor = BatchSpanProcessor(
            exporter: exporter,
            configuration: BatchProcessorConfiguration(
                maxQueueSize: 100, maxExportBatchSize: 4, scheduleDelay: .seconds(60)))
        try await whileRunning(processor) {
            for index in 0..<4 { processor.onEnd(makeTestFinishedSpan("s\(index)")) }
            #expect(await eventually { exporter.batches.count == 1 })
            #expect(exporter.batches.first?.map(\.name) == ["s0", "s1", "s2", "s3"])
            processor.onEnd(makeTestFinishedSpan("lonely"))
            try await Task.sleep(for: .milliseconds(100))
            #expect(exporter.batches.count == 1)  // a partial batch waits for the (long) delay
        }
    }

    @Test func exportsAPartialBatchAfterTheScheduleDelay() async throws {
        let exporter = InMemorySpanExporter()
        let processor = BatchSpanProcessor(
            exporter: exporter,
            configuration: BatchProcessorConfiguration(maxExportBatchSize: 512, scheduleDelay: .milliseconds(50)))
        try await whileRunning(processor) {
            processor.onEnd(makeTestFinishedSpan("one"))
            #expect(await eventually { exporter.spans.count == 1 })
            processor.onEnd(makeTestFinishedSpan("two"))
            #expect(await eventually { exporter.spans.count == 2 })
            #expect(exporter.batches.count == 2)
        }
        #expect(processor.exportedCount == 2)
    }

    @Test func scheduleDelayIsMeasuredOnTheInjectedClock() async throws {
        let clock = ManualClock()
        let exporter = InMemorySpanExporter()
        let processor = BatchSpanProcessor(exporter: exporter, configuration: .default, clock: clock)
        try await whileRunning(processor) {
            processor.onEnd(makeTestFinishedSpan("waiting"))
            #expect(await eventually { clock.sleeperCount == 1 })  // the worker sleeps for the 5 s delay
            clock.advance(by: .seconds(4))
            try await Task.sleep(for: .milliseconds(50))
            #expect(exporter.spans.isEmpty)
            clock.advance(by: .seconds(1))
            #expect(await eventually { exporter.spans.map(\.name) == ["waiting"] })
        }
    }

    @Test func exportTimeoutIsMeasuredOnTheInjectedClock() async throws {
        let clock = ManualClock()
        let exporter = HangingExporter()
        let processor = BatchSpanProcessor(
            exporter: exporter, configuration: BatchProcessorConfiguration(maxExportBatchSize: 1), clock: clock)
        let running = Task { try await processor.run() }
        processor.onEnd(makeTestFinishedSpan())
        #expect(await eventually { exporter.calls.load(ordering: .relaxed) == 1 })
        #expect(await eventually { clock.sleeperCount == 1 })  // the 30 s export timeout
        clock.advance(by: .seconds(30))
        #expect(await eventually { processor.failedExportCount == 1 })
        let finished = Atomic(false)
        let shuttingDown = Task {
            processor.triggerGracefulShutdown()
            try await running.value
            finished.store(true, ordering: .relaxed)
        }
        // The abandoned export still hangs; only the shutdown budget, on the same clock, ends the wait for it.
        var advanced: Duration = .zero
        while !finished.load(ordering: .relaxed), advanced < .seconds(60) {
            clock.advance(by: .seconds(1))
            advanced += .seconds(1)
            try await Task.sleep(for: .milliseconds(10))
        }
        try await shuttingDown.value
        // The 10 s shutdown budget ends the wait, not the 30 s export timeout (the loop may overshoot a little when
        // the machine is busy).
        #expect(advanced >= .seconds(10) && advanced < .seconds(20))
    }

    @Test func exportsStrictlyOneAtATime() async throws {
        let exporter = ConcurrencyCountingExporter(delay: .milliseconds(20))
        let processor = BatchSpanProcessor(
            exporter: exporter,
            configuration: BatchProcessorConfiguration(
                maxQueueSize: 1000, maxExportBatchSize: 2, scheduleDelay: .milliseconds(5)))
        try await whileRunning(processor) {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask { for _ in 0..<10 { processor.onEnd(makeTestFinishedSpan()) } }
                }
            }
            #expect(await eventually { exporter.exportedSpans == 40 })
            #expect(exporter.maximumConcurrentExports == 1)
        }
    }

    @Test func dropsAndCountsSpansWhenTheQueueIsFull() async throws {
        let exporter = InMemorySpanExporter()
        let processor = BatchSpanProcessor(
            exporter: exporter,
            configuration: BatchProcessorConfiguration(
                maxQueueSize: 5, maxExportBatchSize: 5, scheduleDelay: .seconds(60)))
        // Not running yet, so nothing leaves the queue.
        for index in 0..<12 { processor.onEnd(makeTestFinishedSpan("s\(index)")) }
        #expect(processor.droppedCount == 7)
        try await whileRunning(processor) {
        }
        #expect(exporter.spans.map(\.name) == ["s0", "s1", "s2", "s3", "s4"])
        processor.onEnd(makeTestFinishedSpan("after shutdown"))
        #expect(processor.droppedCount == 8)
    }

    @Test func flushesEverySpanOnGracefulShutdown() async throws {
        let exporter = InMemorySpanExporter()
        let processor = BatchSpanProcessor(
            exporter: exporter,
            configuration: BatchProcessorConfiguration(maxExportBatchSize: 64, scheduleDelay: .seconds(60)))
        try await whileRunning(processor) {
            for index in 0..<300 { processor.onEnd(makeTestFinishedSpan("s\(index)")) }
        }
        #expect(exporter.spans.count == 300)
        #expect(exporter.batches.allSatisfy { $0.count <= 64 })
        #expect(exporter.forceFlushCount == 1)
        #expect(exporter.isShutDown)
        #expect(processor.droppedCount == 0)
    }

    @Test func shutdownFinishesWithinItsBoundWhenTheExporterHangs() async throws {
        let exporter = HangingExporter()
        let processor = BatchSpanProcessor(
            exporter: exporter,
            configuration: BatchProcessorConfiguration(
                maxExportBatchSize: 1, scheduleDelay: .milliseconds(1), exportTimeout: .seconds(30),
                shutdownTimeout: .milliseconds(300)))
        let running = Task { try await processor.run() }
        for _ in 0..<5 { processor.onEnd(makeTestFinishedSpan()) }
        #expect(await eventually { exporter.calls.load(ordering: .relaxed) == 1 })  // one export stuck in flight
        let clock = ContinuousClock()
        let elapsed = try await clock.measure {
            processor.triggerGracefulShutdown()
            try await running.value
        }
        // The budget is 300 ms against a 30 s export timeout; a loaded machine may add a little, never 30 s.
        #expect(elapsed < .seconds(5))
        #expect(exporter.calls.load(ordering: .relaxed) == 1)  // never a second export beside the stuck one
        #expect(processor.droppedCount == 4)
        #expect(processor.failedExportCount == 1)
    }

    @Test func exportTimeoutCountsAFailure() async throws {
        let exporter = ConcurrencyCountingExporter(delay: .seconds(5))  // honours cancellation
        let processor = BatchSpanProcessor(
            exporter: exporter,
            configuration: BatchProcessorConfiguration(
                maxExportBatchSize: 1, scheduleDelay: .milliseconds(1), exportTimeout: .milliseconds(50)))
        try await whileRunning(processor) {
            processor.onEnd(makeTestFinishedSpan())
            #expect(await eventually { processor.failedExportCount == 1 })
        }
    }
}
