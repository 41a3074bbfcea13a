extension SandboxFaults {
    /// Reads fault settings from environment variables on top of `base`, so compose files and CI can drive the
    /// standalone sandbox without flags.
    ///
    /// Recognised variables: `SANDBOX_ERROR_RATE`, `SANDBOX_HANG_RATE`, `SANDBOX_LATENCY_MS`,
    /// `SANDBOX_RATE_LIMIT_RATE`, `SANDBOX_REJECT_RATE`, `SANDBOX_RETURN_RATE`, `SANDBOX_DUPLICATE_WEBHOOK_RATE`,
    /// `SANDBOX_REORDER_WEBHOOKS`, `SANDBOX_WEBHOOK_DELAY_MS`, `SANDBOX_TOKEN_TTL_SECONDS`,
    /// `SANDBOX_REQUIRE_CLIENT_CERT`. Rates are decimals in `0...1`; delays and the token lifetime are whole numbers;
    /// booleans are `true`/`false`, `1`/`0`, `yes`/`no` or `on`/`off`. A variable that is unset or empty leaves the
    /// base value alone (compose files often pass empty strings for "not configured").
    ///
    /// - Throws: ``SandboxSettingError`` naming the first variable whose value is invalid.
    ///
    /// ```swift
    /// let faults = try SandboxFaults.fromEnvironment(ProcessInfo.processInfo.environment, base: .none)
    /// ```
    public static func fromEnvironment(_ env: [String: String], base: SandboxFaults) throws -> SandboxFaults {
        var faults = base
        let reader = EnvironmentReader(environment: env)
        faults.errorRate = try reader.rate(.errorRate) ?? faults.errorRate
        faults.hangRate = try reader.rate(.hangRate) ?? faults.hangRate
        faults.latencyMs = try reader.integer(.latencyMs, unit: "milliseconds") ?? faults.latencyMs
        faults.rateLimitRate = try reader.rate(.rateLimitRate) ?? faults.rateLimitRate
        faults.rejectRate = try reader.rate(.rejectRate) ?? faults.rejectRate
        faults.returnRate = try reader.rate(.returnRate) ?? faults.returnRate
        faults.duplicateWebhookRate = try reader.rate(.duplicateWebhookRate) ?? faults.duplicateWebhookRate
        faults.reorderWebhooks = try reader.boolean(.reorderWebhooks) ?? faults.reorderWebhooks
        faults.webhookDelayMs = try reader.integer(.webhookDelayMs, unit: "milliseconds") ?? faults.webhookDelayMs
        faults.tokenTTLSeconds = try reader.integer(.tokenTTLSeconds, unit: "seconds") ?? faults.tokenTTLSeconds
        faults.requireClientCert = try reader.boolean(.requireClientCert) ?? faults.requireClientCert
        try faults.validate(naming: \.environmentVariable)
        return faults
    }
}

/// Parses the `SANDBOX_*` variables, turning each unparseable value into an error that names its variable.
private struct EnvironmentReader {
    let environment: [String: String]

    private func text(_ key: SandboxFaults.CodingKeys) -> String? {
        guard let raw = self.environment[key.environmentVariable] else { return nil }
        let trimmed = raw.trimmingWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }

    func rate(_ key: SandboxFaults.CodingKeys) throws(SandboxSettingError) -> Double? {
        guard let text = self.text(key) else { return nil }
        guard let value = Double(text), (0.0...1.0).contains(value) else {
            throw SandboxSettingError(setting: key.environmentVariable, reason: "must be a number between 0 and 1")
        }
        return value
    }

    func integer(_ key: SandboxFaults.CodingKeys, unit: String) throws(SandboxSettingError) -> Int? {
        guard let text = self.text(key) else { return nil }
        guard let value = Int(text), value >= 0 else {
            throw SandboxSettingError(setting: key.environmentVariable, reason: "must be a whole number of \(unit)")
        }
        return value
    }

    func boolean(_ key: SandboxFaults.CodingKeys) throws(SandboxSettingError) -> Bool? {
        guard let text = self.text(key) else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default:
            throw SandboxSettingError(setting: key.environmentVariable, reason: "must be true or false")
        }
    }
}
