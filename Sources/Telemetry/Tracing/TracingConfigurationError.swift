/// A tracing setting that could not be used; names the setting and what was expected, never echoes the value.
///
/// ```swift
/// do { _ = try TraceSampler(environment: env) } catch {
///     print(error)   // "OTEL_TRACES_SAMPLER: expected always_on, always_off, …"
/// }
/// ```
public struct TracingConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The environment variable (or setting) at fault.
    public var setting: String
    /// What a valid value looks like.
    public var expected: String

    /// Creates the error.
    ///
    /// ```swift
    /// throw TracingConfigurationError(setting: "OTEL_BSP_SCHEDULE_DELAY", expected: "milliseconds")
    /// ```
    public init(setting: String, expected: String) {
        self.setting = setting
        self.expected = expected
    }

    /// One line for start-up failure output.
    public var description: String { "\(setting): expected \(expected)" }
}
