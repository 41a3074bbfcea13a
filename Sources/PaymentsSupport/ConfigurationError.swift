/// A setting that cannot be used: an environment variable, a flag, or a key of a settings document.
///
/// The description is one line naming the setting and what a valid value looks like, fit to stop start-up with. It
/// never repeats the value, which may be a secret pasted into the wrong place.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The setting at fault, as the operator wrote it (`PAYMENTS_PORT`, `--port`, `error_rate`).
    public var setting: String
    /// What is wrong with it, without its value.
    public var reason: String

    /// Creates an error.
    public init(setting: String, reason: String) {
        self.setting = setting
        self.reason = reason
    }

    /// `SETTING: reason`.
    public var description: String { "\(setting): \(reason)" }
}
