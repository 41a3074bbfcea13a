/// Settings of a ``BatchProcessor`` (spans or log records); defaults follow the OpenTelemetry SDK specification.
public struct BatchProcessorConfiguration: Sendable, Hashable {
    /// Items held at most; further items are dropped and counted (`OTEL_BSP_MAX_QUEUE_SIZE`, 2048).
    public var maxQueueSize: Int
    /// Items per export; reaching it triggers an export before the delay (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, 512).
    public var maxExportBatchSize: Int
    /// Longest wait between exports (`OTEL_BSP_SCHEDULE_DELAY` in milliseconds, 5 s).
    public var scheduleDelay: Duration
    /// Longest one export may take before it is cancelled and counted as failed (`OTEL_BSP_EXPORT_TIMEOUT` in
    /// milliseconds, 30 s).
    public var exportTimeout: Duration
    /// Longest the final flush may take after graceful shutdown begins, whatever the exporter does (10 s). Keep it
    /// below the orchestrator's kill grace period so queued items get their chance before SIGKILL.
    public var shutdownTimeout: Duration

    /// The specification's defaults for spans.
    public static let `default` = BatchProcessorConfiguration()

    /// The specification's defaults for log records: as for spans, but exported after at most 1 s.
    public static let logRecords = BatchProcessorConfiguration(scheduleDelay: .seconds(1))

    /// Creates a configuration; `maxExportBatchSize` is capped at `maxQueueSize`, as the specification requires.
    public init(
        maxQueueSize: Int = 2048, maxExportBatchSize: Int = 512, scheduleDelay: Duration = .seconds(5),
        exportTimeout: Duration = .seconds(30), shutdownTimeout: Duration = .seconds(10)
    ) {
        self.maxQueueSize = max(1, maxQueueSize)
        self.maxExportBatchSize = min(max(1, maxExportBatchSize), self.maxQueueSize)
        self.scheduleDelay = scheduleDelay
        self.exportTimeout = exportTimeout
        self.shutdownTimeout = shutdownTimeout
    }
}
