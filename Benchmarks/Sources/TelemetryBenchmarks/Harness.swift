import Foundation
import Synchronization
@_exported import Workload

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// CPU time used so far by every thread of this process (user + system).
func processCPUTime() -> Duration {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return .seconds(spec.tv_sec) + .nanoseconds(spec.tv_nsec)
}

/// CPU time used so far by the calling thread.
func threadCPUTime() -> Duration {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return .seconds(spec.tv_sec) + .nanoseconds(spec.tv_nsec)
}

extension Duration {
    /// Nanoseconds as a floating-point number.
    var nanoseconds: Double {
        Double(components.seconds) * 1e9 + Double(components.attoseconds) / 1e9
    }
}

/// What one thread of a round measured.
struct ThreadTiming: Sendable {
    /// Wall time of the loop (ContinuousClock).
    var wall: Duration
    /// CPU time of the loop's thread.
    var cpu: Duration
}

/// Runs `body(threadIndex)` on `count` dedicated threads that start together, and returns each loop's timing.
///
/// Dedicated threads, not tasks: the span processors under test run on Swift's cooperative pool (one thread per
/// core, so two here). Loops that occupied both pool threads would starve the processors until the loops ended,
/// filling the queues to their drop path; on their own threads, the loops share the cores with the processors
/// the way an application's event-loop threads do.
///
/// The threads run at `nice` (10 by default): when both cores are busy making spans, a processor whose batch is full
/// still gets a core at once, instead of waiting for the scheduler's next turn while the queue fills to its drop
/// path. What each span costs is the same either way; this keeps both runtimes off the drop path as far as their
/// designs allow.
func onThreads(_ count: Int, nice: Int32 = 10, _ body: @escaping @Sendable (Int) -> Void) async -> [ThreadTiming] {
    let ready = Atomic<Int>(0)
    let results = Mutex<[ThreadTiming?]>(Array(repeating: nil, count: count))
    return await withCheckedContinuation { (continuation: CheckedContinuation<[ThreadTiming], Never>) in
        let finished = Atomic<Int>(0)
        for index in 0..<count {
            let thread = Thread {
                #if os(Linux)
                    // On Linux, `who` 0 is the calling thread alone (niceness is per thread there).
                    if nice != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) }
                #endif
                // Start together: each thread arrives, then spins until all have.
                ready.add(1, ordering: .acquiringAndReleasing)
                while ready.load(ordering: .acquiring) < count {}
                let cpuStart = threadCPUTime()
                let start = ContinuousClock.now
                body(index)
                let wall = ContinuousClock.now - start
                let cpu = threadCPUTime() - cpuStart
                results.withLock { $0[index] = ThreadTiming(wall: wall, cpu: cpu) }
                if finished.add(1, ordering: .acquiringAndReleasing).newValue == count {
                    continuation.resume(returning: results.withLock { $0.map { $0! } })
                }
            }
            thread.start()
        }
    }
}

/// Waits until the process has been idle for a short window — every background task (span processors, the tracer's
/// event loop) has caught up — and returns the process CPU time at the start of that idle window.
///
/// A window is idle when the process used under 5 % of one core during it; a processor still draining a backlog uses
/// a whole core, so the two are far apart.
func waitUntilIdle(window: Duration = .milliseconds(5), timeout: Duration = .seconds(30)) async -> Duration {
    let deadline = ContinuousClock.now + timeout
    while true {
        let cpu = processCPUTime()
        let start = ContinuousClock.now
        try? await Task.sleep(for: window)
        let used = processCPUTime() - cpu
        let elapsed = ContinuousClock.now - start
        if used.nanoseconds < 0.05 * elapsed.nanoseconds || ContinuousClock.now > deadline { return cpu }
    }
}

/// Order statistics of a set of per-operation figures.
struct Summary: Sendable {
    var median: Double
    var p25: Double
    var p75: Double
    var min: Double
    var max: Double

    init(_ values: [Double]) {
        let sorted = values.sorted()
        func quantile(_ q: Double) -> Double {
            guard sorted.count > 1 else { return sorted.first ?? .nan }
            let position = q * Double(sorted.count - 1)
            let low = Int(position.rounded(.down))
            let high = Swift.min(low + 1, sorted.count - 1)
            let fraction = position - Double(low)
            return sorted[low] + (sorted[high] - sorted[low]) * fraction
        }
        median = quantile(0.5)
        p25 = quantile(0.25)
        p75 = quantile(0.75)
        min = sorted.first ?? .nan
        max = sorted.last ?? .nan
    }
}

/// Benchmark settings, from the command line.
struct Settings: Sendable {
    /// Measured rounds per benchmark; each round gives one ns/op figure and the median is reported.
    var rounds = 15
    /// Rounds run and thrown away first (caches, allocator, JIT-free but lazily initialised runtime state).
    var warmupRounds = 3
    /// Spans per thread per round.
    var spansPerRound = 100_000
    /// Metric events per thread per round.
    var metricEventsPerRound = 1_000_000
    /// Benchmarks to run, by name prefix (`span`, `metrics`, `span.ours.1`); empty runs everything.
    var filters: [String] = []
    /// Thread counts to measure.
    var threadCounts = [1, 2]
    /// Niceness of the span-making threads (see ``onThreads(_:nice:_:)``); metric threads run at 0.
    var producerNice: Int32 = 10
    /// How long to wait after the swift-otel span benchmarks for its processor's timer to log pending drops.
    var otelDrainWait: Duration = .milliseconds(5_500)

    static func parse(_ arguments: [String]) -> Settings {
        var settings = Settings()
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--rounds": settings.rounds = Int(iterator.next() ?? "") ?? settings.rounds
            case "--warmup": settings.warmupRounds = Int(iterator.next() ?? "") ?? settings.warmupRounds
            case "--spans": settings.spansPerRound = Int(iterator.next() ?? "") ?? settings.spansPerRound
            case "--metric-events":
                settings.metricEventsPerRound = Int(iterator.next() ?? "") ?? settings.metricEventsPerRound
            case "--threads":
                settings.threadCounts = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--filter": settings.filters.append(iterator.next() ?? "")
            case "--nice": settings.producerNice = Int32(iterator.next() ?? "") ?? settings.producerNice
            case "--settle-ms": settings.otelDrainWait = .milliseconds(Int(iterator.next() ?? "") ?? 5_500)
            case "--quick":
                settings.rounds = 5
                settings.warmupRounds = 1
                settings.spansPerRound = 20_000
                settings.metricEventsPerRound = 200_000
            case "--help", "-h":
                print(
                    """
                    usage: TelemetryBenchmarks [--rounds N] [--warmup N] [--spans N] [--metric-events N]
                                               [--threads 1,2] [--filter PREFIX]... [--settle-ms N] [--nice N] [--quick]
                    filters: span, span.ours, span.swift-otel, span.no-op, span.ours.1, metrics, metrics.ours, ...
                    --settle-ms: wait after the swift-otel span rounds for its drop report (default 5500)
                    --nice: niceness of the span-making threads (default 10; 0 runs them like the rest)
                    """)
                exit(0)
            default:
                FileHandle.standardError.write(Data("unknown argument \(argument); try --help\n".utf8))
                exit(2)
            }
        }
        return settings
    }

    func selects(_ name: String) -> Bool {
        filters.isEmpty || filters.contains { name.hasPrefix($0) }
    }
}
