import Foundation

/// The environment variables a process was started with, read through declared ``Setting``s.
///
/// A variable that is unset or blank is absent (container tooling often passes empty strings for "not set"); one
/// whose value the setting cannot read is an error naming the variable and what it must be.
public struct Environment: Sendable {
    /// The raw variables.
    public let variables: [String: String]

    /// The given variables (tests pass their own).
    public init(_ variables: [String: String] = [:]) {
        self.variables = variables
    }

    /// The process's environment.
    public static var process: Environment { Environment(ProcessInfo.processInfo.environment) }

    /// The setting's value, or `nil` when it is unset or blank.
    public func value<Value>(_ setting: Setting<Value>) throws(ConfigurationError) -> Value? {
        guard let text = variables[setting.variable], !text.trimmingASCIIWhitespace().isEmpty else { return nil }
        return try setting.parse(text)
    }

    /// The setting's value, or `defaultValue` when it is unset or blank.
    public func value<Value>(_ setting: Setting<Value>, default defaultValue: Value) throws(ConfigurationError) -> Value
    {
        try value(setting) ?? defaultValue
    }

    /// Whether the setting has a value (it may still be invalid).
    public func isSet(_ setting: some SettingDescription) -> Bool {
        guard let text = variables[setting.variable] else { return false }
        return !text.trimmingASCIIWhitespace().isEmpty
    }
}

extension Environment: ExpressibleByDictionaryLiteral {
    /// An environment of the given variables, as tests write them.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
