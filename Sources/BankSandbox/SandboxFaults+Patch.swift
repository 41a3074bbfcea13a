import Foundation
import PaymentsSupport

extension SandboxFaults {
    /// Applies a partial update from `POST /sandbox/faults`: only the keys present in `json` change.
    ///
    /// Unknown keys are refused rather than ignored, so that a typo (`"error_rat"`) is reported instead of silently
    /// leaving the fault off.
    ///
    /// - Throws: ``ConfigurationError`` naming the offending JSON key (or `body` when the body is not a JSON object).
    func applying(patch json: Data) throws(ConfigurationError) -> SandboxFaults {
        guard case .object(let fields)? = try? JSONValue(parsing: json) else {
            throw ConfigurationError(setting: "body", reason: "must be a JSON object of fault settings")
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw ConfigurationError(setting: unknown, reason: "is not a fault setting")
        }

        var faults = self
        for (name, value) in fields {
            guard let key = CodingKeys(rawValue: name) else { continue }
            try faults.set(key, to: value)
        }
        try faults.validate(naming: \.rawValue)
        return faults
    }

    /// Sets one field from a parsed JSON value, checking only its type; ranges are checked once all fields are set.
    private mutating func set(_ key: CodingKeys, to value: JSONValue) throws(ConfigurationError) {
        switch key {
        case .errorRate: self.errorRate = try Self.rate(value, key)
        case .hangRate: self.hangRate = try Self.rate(value, key)
        case .rateLimitRate: self.rateLimitRate = try Self.rate(value, key)
        case .rejectRate: self.rejectRate = try Self.rate(value, key)
        case .returnRate: self.returnRate = try Self.rate(value, key)
        case .duplicateWebhookRate: self.duplicateWebhookRate = try Self.rate(value, key)
        case .latencyMs: self.latencyMs = try Self.integer(value, key)
        case .webhookDelayMs: self.webhookDelayMs = try Self.integer(value, key)
        case .tokenTTLSeconds: self.tokenTTLSeconds = try Self.integer(value, key)
        case .reorderWebhooks: self.reorderWebhooks = try Self.boolean(value, key)
        case .requireClientCert: self.requireClientCert = try Self.boolean(value, key)
        }
    }

    private static func rate(_ value: JSONValue, _ key: CodingKeys) throws(ConfigurationError) -> Double {
        switch value {
        case .integer(let number): return Double(number)
        case .number(let number): return number
        default: throw ConfigurationError(setting: key.rawValue, reason: "must be a number between 0 and 1")
        }
    }

    private static func integer(_ value: JSONValue, _ key: CodingKeys) throws(ConfigurationError) -> Int {
        guard case .integer(let number) = value, let whole = Int(exactly: number) else {
            throw ConfigurationError(setting: key.rawValue, reason: "must be a whole number")
        }
        return whole
    }

    private static func boolean(_ value: JSONValue, _ key: CodingKeys) throws(ConfigurationError) -> Bool {
        guard case .bool(let flag) = value else {
            throw ConfigurationError(setting: key.rawValue, reason: "must be true or false")
        }
        return flag
    }
}
