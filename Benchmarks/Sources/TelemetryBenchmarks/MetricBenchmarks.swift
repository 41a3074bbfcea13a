import CoreMetrics
import Foundation

/// One round of `perThread` metric events on each of `threads` threads sharing the same series.
func metricRound(_ handles: MetricHandles, threads: Int, perThread: Int, nice: Int32) async -> RoundSample {
    await timedRound(threads: threads, perThread: perThread, nice: nice) { index in
        recordMetrics(handles, count: perThread, offset: index * 17)
    }
}
