extension BatchSpanProcessorConfiguration {
    /// Reads `OTEL_BSP_MAX_QUEUE_SIZE`, `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, `OTEL_BSP_SCHEDULE_DELAY` and
    /// `OTEL_BSP_EXPORT_TIMEOUT` (milliseconds); unset or empty variables keep the defaults.
    ///
    /// ```swift
    /// let configuration = try BatchSpanProcessorConfiguration(environment: ["OTEL_BSP_SCHEDULE_DELAY": "1000"])
    /// configuration.scheduleDelay   // .seconds(1)
    /// ```
    ///
    /// - Throws: ``TracingConfigurationError`` naming the variable for a non-numeric or out-of-range value, or a batch
    ///   size above the queue size.
    public init(environment: [String: String], defaults: BatchSpanProcessorConfiguration = .default)
        throws(TracingConfigurationError)
    {
        func integer(_ name: String, minimum: Int) throws(TracingConfigurationError) -> Int? {
            guard let text = environment[name]?.trimmingTraceHeaderWhitespace(), !text.isEmpty else { return nil }
            guard let value = Int(text), value >= minimum else {
                throw TracingConfigurationError(setting: name, expected: "an integer of at least \(minimum)")
            }
            return value
        }
        let queueSize = try integer("OTEL_BSP_MAX_QUEUE_SIZE", minimum: 1) ?? defaults.maxQueueSize
        let batchSize =
            try integer("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", minimum: 1) ?? min(defaults.maxExportBatchSize, queueSize)
        guard batchSize <= queueSize else {
            throw TracingConfigurationError(
                setting: "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", expected: "no more than OTEL_BSP_MAX_QUEUE_SIZE")
        }
        let delay = try integer("OTEL_BSP_SCHEDULE_DELAY", minimum: 0).map { Duration.milliseconds($0) }
        let timeout = try integer("OTEL_BSP_EXPORT_TIMEOUT", minimum: 1).map { Duration.milliseconds($0) }
        self.init(
            maxQueueSize: queueSize, maxExportBatchSize: batchSize, scheduleDelay: delay ?? defaults.scheduleDelay,
            exportTimeout: timeout ?? defaults.exportTimeout, shutdownTimeout: defaults.shutdownTimeout)
    }
}
