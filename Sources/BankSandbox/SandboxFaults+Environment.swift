import PaymentsSupport

extension SandboxFaults {
    /// The `SANDBOX_*` fault variables over `base`: an unset or blank variable keeps the base value.
    ///
    /// - Throws: ``ConfigurationError`` naming the first variable whose value cannot be used.
    public init(environment: Environment, base: SandboxFaults = .none) throws(ConfigurationError) {
        self = base
        typealias Settings = SandboxSettings
        errorRate = try environment.value(Settings.errorRate, default: errorRate)
        hangRate = try environment.value(Settings.hangRate, default: hangRate)
        latencyMs = try environment.value(Settings.latencyMs, default: latencyMs)
        rateLimitRate = try environment.value(Settings.rateLimitRate, default: rateLimitRate)
        rejectRate = try environment.value(Settings.rejectRate, default: rejectRate)
        returnRate = try environment.value(Settings.returnRate, default: returnRate)
        duplicateWebhookRate = try environment.value(Settings.duplicateWebhookRate, default: duplicateWebhookRate)
        reorderWebhooks = try environment.value(Settings.reorderWebhooks, default: reorderWebhooks)
        webhookDelayMs = try environment.value(Settings.webhookDelayMs, default: webhookDelayMs)
        tokenTTLSeconds = try environment.value(Settings.tokenTTLSeconds, default: tokenTTLSeconds)
        requireClientCert = try environment.value(Settings.requireClientCert, default: requireClientCert)
        try validate(naming: \.environmentVariable)
    }
}
