/// A 16-byte W3C trace id, held as two integers so that span data carries no heap allocation for it.
///
/// ```swift
/// let id = OTLPTraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!
/// id.hex   // "4bf92f3577b34da6a3ce929d0e0e4736"
/// ```
public struct OTLPTraceID: Sendable, Hashable, CustomStringConvertible {
    /// The first (most significant) eight bytes, big-endian.
    public var high: UInt64
    /// The last eight bytes, big-endian.
    public var low: UInt64

    /// Creates an id from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Creates an id from 32 hexadecimal digits; `nil` if malformed.
    public init?(hex: String) {
        guard hex.utf8.count == 32,
            let high = UInt64(hex.prefix(16), radix: 16),
            let low = UInt64(hex.suffix(16), radix: 16)
        else { return nil }
        self.init(high: high, low: low)
    }

    /// Whether the id is all zeros, which W3C and OTLP treat as invalid.
    public var isValid: Bool { high != 0 || low != 0 }

    /// The 16 bytes on the wire.
    public var bytes: [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(16)
        withUnsafeBytes(of: high.bigEndian) { result.append(contentsOf: $0) }
        withUnsafeBytes(of: low.bigEndian) { result.append(contentsOf: $0) }
        return result
    }

    /// 32 lowercase hexadecimal digits.
    public var hex: String { OTLPSpanID.hex(high) + OTLPSpanID.hex(low) }

    /// The hexadecimal form.
    public var description: String { hex }
}
