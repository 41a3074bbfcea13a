extension TraceSampler {
    /// Reads `OTEL_TRACES_SAMPLER` (`always_on`, `always_off`, `traceidratio`, `parentbased_always_on`,
    /// `parentbased_always_off`, `parentbased_traceidratio`; default `parentbased_always_on`) and
    /// `OTEL_TRACES_SAMPLER_ARG` (the ratio, 0...1, default 1).
    ///
    /// ```swift
    /// let sampler = try TraceSampler(environment: [
    ///     "OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.25",
    /// ])
    /// ```
    ///
    /// - Throws: ``TelemetryConfigurationError`` naming the variable when a value is not understood, so start-up stops
    ///   with one clear line instead of silently sampling differently.
    public init(environment: [String: String]) throws(TelemetryConfigurationError) {
        func readRatio() throws(TelemetryConfigurationError) -> Double {
            guard let text = environment["OTEL_TRACES_SAMPLER_ARG"]?.trimmingTraceHeaderWhitespace(), !text.isEmpty
            else { return 1 }
            guard let value = Double(text), value >= 0, value <= 1 else {
                throw TelemetryConfigurationError(setting: "OTEL_TRACES_SAMPLER_ARG", reason: "expected a number from 0 to 1")
            }
            return value
        }
        let name = environment["OTEL_TRACES_SAMPLER"]?.trimmingTraceHeaderWhitespace().lowercased() ?? ""
        switch name {
        case "", "parentbased_always_on": self.init(root: .alwaysOn, isParentBased: true)
        case "parentbased_always_off": self.init(root: .alwaysOff, isParentBased: true)
        case "parentbased_traceidratio":
            let ratio = try readRatio()
            self.init(root: .traceIDRatio(ratio), isParentBased: true)
        case "always_on": self.init(root: .alwaysOn, isParentBased: false)
        case "always_off": self.init(root: .alwaysOff, isParentBased: false)
        case "traceidratio":
            let ratio = try readRatio()
            self.init(root: .traceIDRatio(ratio), isParentBased: false)
        default:
            throw TelemetryConfigurationError(
                setting: "OTEL_TRACES_SAMPLER",
                reason: "expected always_on, always_off, traceidratio or parentbased_ plus one of those")
        }
    }
}
