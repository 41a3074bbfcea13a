/// A `payments demo` setting that cannot be used, named as the user typed it (`--count`), with what it must be.
/// The rejected value is never repeated, so a mistyped API key is not echoed.
public struct DemoSettingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The flag, e.g. `--bad-request-share`.
    public let setting: String
    /// What the setting must be.
    public let reason: String

    /// Creates the error.
    public init(setting: String, reason: String) {
        self.setting = setting
        self.reason = reason
    }

    public var description: String { "\(setting) \(reason)" }
}
