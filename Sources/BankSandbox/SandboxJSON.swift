import Foundation

/// The sandbox's JSON encoding: sorted keys (stable bodies for tests and replays) and unescaped slashes.
enum SandboxJSON {
    /// Encodes `value`; a fresh encoder each time keeps this free of shared mutable state.
    static func encode<Value: Encodable>(_ value: Value) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
