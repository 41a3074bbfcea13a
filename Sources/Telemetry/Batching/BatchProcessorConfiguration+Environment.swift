import PaymentsSupport

extension BatchProcessorConfiguration {
    /// The batch processor the `OTEL_BSP_*` (spans) or `OTEL_BLRP_*` (log records) variables describe over
    /// `defaults`; see ``TelemetrySettings/BatchSettings``.
    ///
    /// - Throws: ``ConfigurationError`` naming the variable for a value that cannot be used, or a batch size above
    ///   the queue size.
    public init(
        environment: Environment, settings: TelemetrySettings.BatchSettings = TelemetrySettings.spanBatch,
        defaults: BatchProcessorConfiguration = .default
    ) throws(ConfigurationError) {
        let queueSize = try environment.value(settings.maxQueueSize, default: defaults.maxQueueSize)
        let batchSize =
            try environment.value(settings.maxExportBatchSize) ?? min(defaults.maxExportBatchSize, queueSize)
        guard batchSize <= queueSize else {
            throw ConfigurationError(
                setting: settings.maxExportBatchSize.variable,
                reason: "must be no more than \(settings.maxQueueSize.variable)"
            )
        }
        self.init(
            maxQueueSize: queueSize, maxExportBatchSize: batchSize,
            scheduleDelay: try environment.value(settings.scheduleDelay, default: defaults.scheduleDelay),
            exportTimeout: try environment.value(settings.exportTimeout, default: defaults.exportTimeout),
            shutdownTimeout: defaults.shutdownTimeout
        )
    }
}
