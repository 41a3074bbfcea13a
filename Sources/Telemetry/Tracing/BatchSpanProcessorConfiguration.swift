/// Settings of a ``BatchSpanProcessor``; defaults follow the OpenTelemetry SDK specification.
///
/// ```swift
/// var configuration = BatchSpanProcessorConfiguration.default
/// configuration.scheduleDelay = .seconds(1)
/// let fromEnvironment = try BatchSpanProcessorConfiguration(environment: ProcessInfo.processInfo.environment)
/// ```
public struct BatchSpanProcessorConfiguration: Sendable, Hashable {
    /// Spans held at most; further spans are dropped and counted (`OTEL_BSP_MAX_QUEUE_SIZE`, 2048).
    public var maxQueueSize: Int
    /// Spans per export; reaching it triggers an export before the delay (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, 512).
    public var maxExportBatchSize: Int
    /// Longest wait between exports (`OTEL_BSP_SCHEDULE_DELAY` in milliseconds, 5 s).
    public var scheduleDelay: Duration
    /// Longest one export may take before it is cancelled and counted as failed (`OTEL_BSP_EXPORT_TIMEOUT` in
    /// milliseconds, 30 s).
    public var exportTimeout: Duration
    /// Longest the final flush may take after graceful shutdown begins, whatever the exporter does (10 s). Keep it
    /// below the orchestrator's kill grace period so queued spans get their chance before SIGKILL.
    public var shutdownTimeout: Duration

    /// The specification's defaults.
    ///
    /// ```swift
    /// let processor = BatchSpanProcessor(exporter: exporter, configuration: .default)
    /// ```
    public static let `default` = BatchSpanProcessorConfiguration()

    /// Creates a configuration; `maxExportBatchSize` is capped at `maxQueueSize`, as the specification requires.
    ///
    /// ```swift
    /// let configuration = BatchSpanProcessorConfiguration(maxQueueSize: 100, maxExportBatchSize: 10)
    /// ```
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
