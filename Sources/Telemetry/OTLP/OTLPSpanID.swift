/// An 8-byte W3C span id.
///
/// ```swift
/// let id = OTLPSpanID(hex: "00f067aa0ba902b7")!
/// id.hex   // "00f067aa0ba902b7"
/// ```
public struct OTLPSpanID: Sendable, Hashable, CustomStringConvertible {
    /// The id as a big-endian integer.
    public var value: UInt64

    /// Creates an id.
    public init(_ value: UInt64) {
        self.value = value
    }

    /// Creates an id from 16 hexadecimal digits; `nil` if malformed.
    public init?(hex: String) {
        guard hex.utf8.count == 16, let value = UInt64(hex, radix: 16) else { return nil }
        self.init(value)
    }

    /// Whether the id is non-zero.
    public var isValid: Bool { value != 0 }

    /// The 8 bytes on the wire.
    public var bytes: [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    /// 16 lowercase hexadecimal digits.
    public var hex: String { Self.hex(value) }

    /// The hexadecimal form.
    public var description: String { hex }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
