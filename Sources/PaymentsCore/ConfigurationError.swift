/// A bad setting found at start-up. The message names the setting and never echoes its value.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The environment variable or flag at fault.
    public var setting: String
    /// What is wrong with it.
    public var reason: String

    /// Creates an error.
    public init(setting: String, reason: String) {
        self.setting = setting
        self.reason = reason
    }

    public var description: String { "invalid setting \(setting): \(reason)" }
}
