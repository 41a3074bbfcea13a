import PaymentsSupport

/// An 8-byte W3C span id (the `parent-id` of a `traceparent` header).
public struct SpanID: Sendable, Hashable, CustomStringConvertible {
    /// The eight bytes as one big-endian integer.
    public var rawValue: UInt64

    /// Wraps a raw value.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Parses 16 lower-case hex digits; `nil` for any other input, including the invalid all-zero id.
    public init?(hexString: some StringProtocol) {
        let utf8 = Array(hexString.utf8)
        guard utf8.count == 16, let value = Hex.decodeInteger(utf8, allowingUppercase: false), value != 0 else {
            return nil
        }
        self.rawValue = value
    }

    /// A fresh random id that is never zero.
    public static func random() -> SpanID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A fresh random id from `generator`, never zero.
    public static func random(using generator: inout some RandomNumberGenerator) -> SpanID {
        let value: UInt64 = generator.next()
        // Zero is the W3C "invalid" id.
        return SpanID(rawValue: value == 0 ? 1 : value)
    }

    /// `false` only for the all-zero id.
    public var isValid: Bool { rawValue != 0 }

    /// 16 lower-case hex digits.
    public var hexString: String { Hex.string(rawValue) }

    /// The 8 bytes, most significant first, as OTLP encodes them.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: rawValue >> UInt64(56 - $0 * 8)) }
    }

    /// The hex form, so ids print as they appear in headers and logs.
    public var description: String { hexString }
}
