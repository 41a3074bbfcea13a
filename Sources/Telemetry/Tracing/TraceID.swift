/// A 16-byte W3C trace id, kept as two integers so that creating, comparing and hashing one never allocates.
///
/// ```swift
/// let id = TraceID(hexString: "4bf92f3577b34da6a3ce929d0e0e4736")!
/// id.hexString   // "4bf92f3577b34da6a3ce929d0e0e4736"
/// id.bytes       // [0x4b, 0xf9, …] — what OTLP puts on the wire
/// ```
public struct TraceID: Sendable, Hashable, CustomStringConvertible {
    /// The first (most significant) eight bytes.
    public var high: UInt64
    /// The last eight bytes; ratio sampling reads these because W3C asks generators to make them random.
    public var low: UInt64

    /// Creates an id from its two halves.
    ///
    /// ```swift
    /// let id = TraceID(high: 1, low: 2)   // 00000000000000010000000000000002
    /// ```
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses 32 lower-case hex digits; `nil` for any other input, including the invalid all-zero id.
    ///
    /// ```swift
    /// TraceID(hexString: "00000000000000000000000000000000")   // nil
    /// ```
    public init?(hexString: some StringProtocol) {
        let utf8 = Array(hexString.utf8)
        guard utf8.count == 32, let high = TraceHexCoding.decode(utf8[0..<16]), let low = TraceHexCoding.decode(utf8[16..<32])
        else { return nil }
        self.init(high: high, low: low)
        guard isValid else { return nil }
    }

    /// A fresh random id that is never all zero.
    ///
    /// ```swift
    /// let id = TraceID.random()
    /// ```
    public static func random() -> TraceID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A fresh random id from `generator`, never all zero.
    ///
    /// ```swift
    /// var generator = SystemRandomNumberGenerator()
    /// let id = TraceID.random(using: &generator)
    /// ```
    public static func random(using generator: inout some RandomNumberGenerator) -> TraceID {
        var id = TraceID(high: generator.next(), low: generator.next())
        // All zero is the W3C "invalid" id; 2^-128 odds, but peers would drop the whole trace.
        if !id.isValid { id.low = 1 }
        return id
    }

    /// `false` only for the all-zero id, which W3C Trace Context treats as absent.
    ///
    /// ```swift
    /// TraceID(high: 0, low: 0).isValid   // false
    /// ```
    public var isValid: Bool { high != 0 || low != 0 }

    /// 32 lower-case hex digits.
    ///
    /// ```swift
    /// TraceID(high: 0, low: 255).hexString   // "000000000000000000000000000000ff"
    /// ```
    public var hexString: String {
        var output: [UInt8] = []
        output.reserveCapacity(32)
        TraceHexCoding.append(high, byteCount: 8, to: &output)
        TraceHexCoding.append(low, byteCount: 8, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// The 16 bytes, most significant first, as OTLP encodes them.
    ///
    /// ```swift
    /// TraceID(high: 0, low: 1).bytes.last   // 1
    /// ```
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> UInt64(56 - $0 * 8)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> UInt64(56 - $0 * 8)) }
    }

    /// The hex form, so ids print as they appear in headers and logs.
    public var description: String { hexString }
}
