import PaymentsSupport

extension TraceSampler {
    /// The sampler `OTEL_TRACES_SAMPLER` (default `parentbased_always_on`) and `OTEL_TRACES_SAMPLER_ARG` (the ratio,
    /// default 1) describe.
    ///
    /// - Throws: ``ConfigurationError`` naming the variable when a value is not understood, so that start-up stops
    ///   with one clear line instead of sampling differently than asked.
    public init(environment: Environment) throws(ConfigurationError) {
        let name = try environment.value(TelemetrySettings.sampler, default: "parentbased_always_on")
        let ratio = try environment.value(TelemetrySettings.samplerArgument, default: 1)
        let isParentBased = name.hasPrefix("parentbased_")
        switch name.dropFirst(isParentBased ? "parentbased_".count : 0) {
        case "always_off": self.init(root: .alwaysOff, isParentBased: isParentBased)
        case "traceidratio": self.init(root: .traceIDRatio(ratio), isParentBased: isParentBased)
        default: self.init(root: .alwaysOn, isParentBased: isParentBased)
        }
    }
}
