import CoreMetrics
import Foundation

/// One round of `perThread` metric events on each of `threads` threads sharing the same series.
func metricRound(_ handles: MetricHandles, threads: Int, perThread: Int, nice: Int32) async -> RoundSample {
    let cpuStart = processCPUTime()
    let timings = await onThreads(threads, nice: nice) { index in
        recordMetrics(handles, count: perThread, offset: index * 17)
    }
    let cpuEnd = await waitUntilIdle()
    return RoundSample(
        caller: timings.map { $0.wall.nanoseconds / Double(perThread) },
        callerCPU: timings.map { $0.cpu.nanoseconds / Double(perThread) },
        cpu: (cpuEnd - cpuStart).nanoseconds / Double(perThread * threads))
}
