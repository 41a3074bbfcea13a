extension BatchProcessorConfiguration {
    /// Reads `<prefix>_MAX_QUEUE_SIZE`, `<prefix>_MAX_EXPORT_BATCH_SIZE`, `<prefix>_SCHEDULE_DELAY` and
    /// `<prefix>_EXPORT_TIMEOUT` (milliseconds), where the prefix is `OTEL_BSP` for spans and `OTEL_BLRP` for log
    /// records; unset or empty variables keep the defaults.
    ///
    /// ```swift
    /// let spans = try BatchProcessorConfiguration(environment: ["OTEL_BSP_SCHEDULE_DELAY": "1000"])
    /// spans.scheduleDelay   // .seconds(1)
    /// let logs = try BatchProcessorConfiguration(environment: env, prefix: "OTEL_BLRP", defaults: .logRecords)
    /// ```
    ///
    /// - Throws: ``TelemetryConfigurationError`` naming the variable for a non-numeric or out-of-range value, or a
    ///   batch size above the queue size.
    public init(
        environment: [String: String], prefix: String = "OTEL_BSP", defaults: BatchProcessorConfiguration = .default
    ) throws(TelemetryConfigurationError) {
        func integer(_ name: String, minimum: Int) throws(TelemetryConfigurationError) -> Int? {
            guard let text = environment[name]?.trimmingTraceHeaderWhitespace(), !text.isEmpty else { return nil }
            guard let value = Int(text), value >= minimum else {
                throw TelemetryConfigurationError(setting: name, reason: "expected an integer of at least \(minimum)")
            }
            return value
        }
        let queueSize = try integer("\(prefix)_MAX_QUEUE_SIZE", minimum: 1) ?? defaults.maxQueueSize
        let batchSize =
            try integer("\(prefix)_MAX_EXPORT_BATCH_SIZE", minimum: 1) ?? min(defaults.maxExportBatchSize, queueSize)
        guard batchSize <= queueSize else {
            throw TelemetryConfigurationError(
                setting: "\(prefix)_MAX_EXPORT_BATCH_SIZE", reason: "expected no more than \(prefix)_MAX_QUEUE_SIZE")
        }
        let delay = try integer("\(prefix)_SCHEDULE_DELAY", minimum: 0).map { Duration.milliseconds($0) }
        let timeout = try integer("\(prefix)_EXPORT_TIMEOUT", minimum: 1).map { Duration.milliseconds($0) }
        self.init(
            maxQueueSize: queueSize, maxExportBatchSize: batchSize, scheduleDelay: delay ?? defaults.scheduleDelay,
            exportTimeout: timeout ?? defaults.exportTimeout, shutdownTimeout: defaults.shutdownTimeout)
    }
}
