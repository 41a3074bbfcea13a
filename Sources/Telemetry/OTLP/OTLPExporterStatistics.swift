/// Running totals of one signal's exports: the exporter's own health, for metrics such as
/// `telemetry_export_failures_total{signal}`.
public struct OTLPExporterStatistics: Sendable, Hashable {
    /// Exports delivered (including partial successes).
    public var exportsSucceeded: Int
    /// Exports given up on; their items are lost.
    public var exportFailures: Int
    /// Items delivered and accepted.
    public var itemsExported: Int
    /// Items in failed exports.
    public var itemsFailed: Int
    /// Items the collector rejected in partial successes.
    public var itemsRejected: Int64
    /// Retries made (attempts beyond the first).
    public var retries: Int

    /// All zeros.
    public init(
        exportsSucceeded: Int = 0, exportFailures: Int = 0, itemsExported: Int = 0, itemsFailed: Int = 0,
        itemsRejected: Int64 = 0, retries: Int = 0
    ) {
        self.exportsSucceeded = exportsSucceeded
        self.exportFailures = exportFailures
        self.itemsExported = itemsExported
        self.itemsFailed = itemsFailed
        self.itemsRejected = itemsRejected
        self.retries = retries
    }
}
