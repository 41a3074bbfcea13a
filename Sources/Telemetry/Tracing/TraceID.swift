import PaymentsSupport

/// A 16-byte W3C trace id, kept as two integers so that creating, comparing and hashing one never allocates.
public struct TraceID: Sendable, Hashable, CustomStringConvertible {
    /// The first (most significant) eight bytes.
    public var high: UInt64
    /// The last eight bytes; ratio sampling reads these because W3C asks generators to make them random.
    public var low: UInt64

    /// Creates an id from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses 32 lower-case hex digits; `nil` for any other input, including the invalid all-zero id.
    public init?(hexString: some StringProtocol) {
        let utf8 = Array(hexString.utf8)
        guard utf8.count == 32, let high = Hex.decodeInteger(utf8[0..<16], allowingUppercase: false),
            let low = Hex.decodeInteger(utf8[16..<32], allowingUppercase: false)
        else { return nil }
        self.init(high: high, low: low)
        guard isValid else { return nil }
    }

    /// A fresh random id that is never all zero.
    public static func random() -> TraceID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A fresh random id from `generator`, never all zero.
    public static func random(using generator: inout some RandomNumberGenerator) -> TraceID {
        var id = TraceID(high: generator.next(), low: generator.next())
        // All zero is the W3C "invalid" id; 2^-128 odds, but peers would drop the whole trace.
        if !id.isValid { id.low = 1 }
        return id
    }

    /// `false` only for the all-zero id, which W3C Trace Context treats as absent.
    public var isValid: Bool { high != 0 || low != 0 }

    /// 32 lower-case hex digits.
    public var hexString: String { Hex.string(high, low) }

    /// The 16 bytes, most significant first, as OTLP encodes them.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> UInt64(56 - $0 * 8)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> UInt64(56 - $0 * 8)) }
    }

    /// The hex form, so ids print as they appear in headers and logs.
    public var description: String { hexString }
}
