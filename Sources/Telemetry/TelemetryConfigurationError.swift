/// A telemetry setting from the environment (`OTEL_*`) that cannot be used.
///
/// The description is one line naming the setting and what is wrong with it, fit to stop start-up with; it never
/// repeats the value, which may be a credential (for example an `Authorization` header).
///
/// ```swift
/// do { _ = try OTLPHTTPExporter.Configuration(environment: ["OTEL_EXPORTER_OTLP_TIMEOUT": "soon"]) }
/// catch { print(error) }   // "OTEL_EXPORTER_OTLP_TIMEOUT: must be a positive whole number of milliseconds"
/// ```
public struct TelemetryConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The environment variable at fault.
    public var setting: String
    /// What is wrong, without the value.
    public var reason: String

    /// Creates an error.
    public init(setting: String, reason: String) {
        self.setting = setting
        self.reason = reason
    }

    /// `SETTING: reason`.
    public var description: String { "\(setting): \(reason)" }
}
