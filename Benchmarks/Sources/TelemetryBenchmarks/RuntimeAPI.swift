import Telemetry

// The one member of the runtime's API that the benchmark reads and that is not part of swift-distributed-tracing's:
// kept here so that a rename in Sources/Telemetry needs one change in this package.
extension BatchProcessor {
    /// Items (here spans) the processor dropped: full queue, or shut down.
    var benchmarkDroppedCount: Int { droppedCount }
}
