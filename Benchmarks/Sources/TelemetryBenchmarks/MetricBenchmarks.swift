import CoreMetrics
import Foundation
import Tracing

/// One round of `perThread` metric events on each of `threads` threads sharing the same series; inside `context`
/// (a span's) when given, so that every histogram record takes an exemplar.
func metricRound(
    _ handles: MetricHandles, threads: Int, perThread: Int, nice: Int32, context: ServiceContext? = nil
) async -> RoundSample {
    await timedRound(threads: threads, perThread: perThread, nice: nice) { index in
        guard let context else { return recordMetrics(handles, count: perThread, offset: index * 17) }
        ServiceContext.$current.withValue(context) { recordMetrics(handles, count: perThread, offset: index * 17) }
    }
}
