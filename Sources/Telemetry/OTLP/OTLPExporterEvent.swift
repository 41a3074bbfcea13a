/// Something the exporter reports about its own health, delivered to the `onEvent` callback as it happens.
///
/// The callback is where counters such as `telemetry_export_failures_total{signal}` are incremented. It runs on the
/// exporting task, so it must be quick and must not export telemetry itself synchronously.
public enum OTLPExporterEvent: Sendable {
    /// An export was given up on; `itemCount` items are lost.
    case exportFailed(signal: OTLPSignal, itemCount: Int, error: OTLPExportError)
    /// The collector accepted the request but rejected `count` items.
    case itemsRejected(signal: OTLPSignal, count: Int64, message: String)
    /// A retry is scheduled after `delay`; `attempt` is the attempt that failed (1 for the first).
    case retrying(signal: OTLPSignal, attempt: Int, delay: Duration, httpStatus: Int?)
}
