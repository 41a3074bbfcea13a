import Foundation
import PaymentsSupport

extension SandboxFaults {
    /// The `SANDBOX_*` fault variables over `base`: an unset or blank variable keeps the base value.
    ///
    /// - Throws: ``PaymentsSupport/ConfigurationError`` naming the first variable whose value cannot be used.
    public init(environment: Environment, base: SandboxFaults = .none) throws(ConfigurationError) {
        self = base
        for key in CodingKeys.allCases {
            guard let value = try environment.value(SandboxSettings.fault(key)) else { continue }
            try set(key, to: value, naming: key.environmentVariable)
        }
    }

    /// Sets the fault a command-line flag gives, read as its variable would be.
    public mutating func set(flag: String, value text: String) throws(ConfigurationError) {
        let name = String(flag.drop { $0 == "-" }).replacingOccurrences(of: "-", with: "_")
        guard let key = CodingKeys(rawValue: name) else {
            throw ConfigurationError(setting: flag, reason: "is not a fault setting")
        }
        try set(key, to: try SandboxSettings.fault(key).parse(text, as: flag), naming: flag)
    }
}
