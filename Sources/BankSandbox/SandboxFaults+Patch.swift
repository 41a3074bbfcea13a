import Foundation
import PaymentsSupport

extension SandboxFaults {
    /// Applies a partial update from `POST /sandbox/faults`: only the keys present in `json` change.
    ///
    /// Unknown keys are refused rather than ignored, so that a typo (`"error_rat"`) is reported instead of silently
    /// leaving the fault off.
    ///
    /// - Throws: ``PaymentsSupport/ConfigurationError`` naming the offending JSON key (or `body` when the body is not
    ///   a JSON object).
    func applying(patch json: Data) throws(ConfigurationError) -> SandboxFaults {
        guard let patch = try? JSONValue(parsing: json) else {
            throw ConfigurationError(setting: "body", reason: "must be a JSON object of fault settings")
        }
        return try applying(patch: patch)
    }

    /// Applies a partial update given as a JSON object.
    func applying(patch: JSONValue) throws(ConfigurationError) -> SandboxFaults {
        guard case .object(let fields) = patch else {
            throw ConfigurationError(setting: "body", reason: "must be a JSON object of fault settings")
        }
        var faults = self
        for name in fields.keys.sorted() {
            guard let key = CodingKeys(rawValue: name) else {
                throw ConfigurationError(setting: name, reason: "is not a fault setting")
            }
            try faults.set(key, to: fields[name]!, naming: name)
        }
        return faults
    }
}
