import Foundation
import Synchronization
import Telemetry
import Tracing
import Workload

/// Accepts every batch and keeps nothing, counting what it was given.
final class DiscardingSpanExporter: SpanExporter {
    private let batches = Atomic<Int>(0)
    private let spans = Atomic<Int>(0)

    /// Batches received so far.
    var batchCount: Int { batches.load(ordering: .relaxed) }
    /// Spans received so far.
    var spanCount: Int { spans.load(ordering: .relaxed) }

    func export(_ batch: [FinishedSpan]) async throws {
        batches.add(1, ordering: .relaxed)
        spans.add(batch.count, ordering: .relaxed)
    }

    func forceFlush() async throws {}
    func shutdown() async {}
}

/// Export and drop counters of one span backend, read before and after a benchmark.
struct SpanCounters {
    var exportedBatches: Int
    var exportedSpans: Int
    var droppedSpans: Int

    static func - (lhs: SpanCounters, rhs: SpanCounters) -> SpanCounters {
        SpanCounters(
            exportedBatches: lhs.exportedBatches - rhs.exportedBatches,
            exportedSpans: lhs.exportedSpans - rhs.exportedSpans,
            droppedSpans: lhs.droppedSpans - rhs.droppedSpans)
    }
}

/// One round's figures: wall ns/op of each thread's loop, and process CPU ns/op until the process is idle again.
struct RoundSample: Sendable {
    var caller: [Double]
    var callerCPU: [Double]
    var cpu: Double
}

/// One round of `perThread` spans on each of `threads` threads, followed by a wait until the process is idle again
/// (every processor has taken every span), so that no round pays for the previous one's backlog.
func spanRound<T: Tracer>(_ tracer: T, threads: Int, perThread: Int, nice: Int32) async -> RoundSample {
    await timedRound(threads: threads, perThread: perThread, nice: nice) { index in
        makeSpans(tracer, count: perThread, offset: index * 17)
    }
}

/// Runs `work(thread index)` on each of `threads` threads, each doing `perThread` operations, then waits until the
/// process is idle again, and reports the per-operation times.
func timedRound(
    threads: Int, perThread: Int, nice: Int32, _ work: @escaping @Sendable (Int) -> Void
) async -> RoundSample {
    let cpuStart = processCPUTime()
    let timings = await onThreads(threads, nice: nice, work)
    let cpuEnd = await waitUntilIdle()
    return RoundSample(
        caller: timings.map { $0.wall.nanoseconds / Double(perThread) },
        callerCPU: timings.map { $0.cpu.nanoseconds / Double(perThread) },
        cpu: (cpuEnd - cpuStart).nanoseconds / Double(perThread * threads))
}

/// A benchmark to run round by round alongside others.
struct BenchmarkCase {
    var variant: String
    var threads: Int
    var round: () async -> RoundSample
}

/// The rounds of one benchmark.
struct CaseResult {
    var variant: String
    var threads: Int
    /// Wall time per op on each op-making thread, one figure per thread per measured round.
    var caller: Summary
    /// CPU time of each op-making thread per op (robust to the thread being descheduled).
    var callerCPU: Summary
    /// CPU time of the whole process (op-making threads and every background task, until idle) per op.
    var cpu: Summary
}

/// Runs the cases round-robin — warm-up rounds, then measured rounds, starting each round with the next case — so
/// that a slow spell of this noisy machine falls on every case alike rather than on whichever ran then.
func runInterleaved(_ cases: [BenchmarkCase], settings: Settings) async -> [CaseResult] {
    var caller = Array(repeating: [Double](), count: cases.count)
    var callerCPU = Array(repeating: [Double](), count: cases.count)
    var cpu = Array(repeating: [Double](), count: cases.count)
    for round in 0..<(settings.warmupRounds + settings.rounds) {
        for step in 0..<cases.count {
            let index = (round + step) % cases.count
            let sample = await cases[index].round()
            guard round >= settings.warmupRounds else { continue }
            caller[index].append(contentsOf: sample.caller)
            callerCPU[index].append(contentsOf: sample.callerCPU)
            cpu[index].append(sample.cpu)
        }
    }
    return cases.indices.map { index in
        CaseResult(
            variant: cases[index].variant, threads: cases[index].threads, caller: Summary(caller[index]),
            callerCPU: Summary(callerCPU[index]), cpu: Summary(cpu[index]))
    }
}
