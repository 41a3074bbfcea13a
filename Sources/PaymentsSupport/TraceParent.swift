/// A W3C Trace Context `traceparent` value: `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`.
///
/// Parsing follows the specification strictly, because a vendor that cannot read the header must start a new trace
/// rather than propagate a corrupted one: lower-case hex only, no all-zero ids, version `ff` refused, nothing after
/// the flags in version `00`, and a later version read by its first four fields when whatever follows begins with a
/// dash. Surrounding spaces and tabs (HTTP's optional whitespace) are ignored.
public struct TraceParent: Sendable, Hashable, CustomStringConvertible {
    /// The trace id's first eight bytes.
    public var traceIDHigh: UInt64
    /// The trace id's last eight bytes.
    public var traceIDLow: UInt64
    /// The parent span id.
    public var parentSpanID: UInt64
    /// Trace flags; bit 0 is "sampled".
    public var flags: UInt8

    /// A context from its parts; the ids must not be zero for the header to be valid.
    public init(traceIDHigh: UInt64, traceIDLow: UInt64, parentSpanID: UInt64, flags: UInt8) {
        self.traceIDHigh = traceIDHigh
        self.traceIDLow = traceIDLow
        self.parentSpanID = parentSpanID
        self.flags = flags
    }

    /// Parses a header value; `nil` when it does not follow the specification.
    public init?(_ header: some StringProtocol) {
        let utf8 = Array(header.trimmingASCIIWhitespace().utf8)
        let dash = UInt8(ascii: "-")
        // version(2) - trace-id(32) - parent-id(16) - flags(2)
        guard utf8.count >= 55, utf8[2] == dash, utf8[35] == dash, utf8[52] == dash,
            let version = Self.lowercaseHex(utf8[0..<2]), version != 0xFF
        else { return nil }
        if version == 0 {
            guard utf8.count == 55 else { return nil }
        } else if utf8.count > 55 {
            // Later versions may append fields, but only after another dash.
            guard utf8[55] == dash else { return nil }
        }
        guard let high = Self.lowercaseHex(utf8[3..<19]), let low = Self.lowercaseHex(utf8[19..<35]),
            let parent = Self.lowercaseHex(utf8[36..<52]), let flags = Self.lowercaseHex(utf8[53..<55]),
            high != 0 || low != 0, parent != 0
        else { return nil }
        self.init(traceIDHigh: high, traceIDLow: low, parentSpanID: parent, flags: UInt8(flags))
    }

    /// A new root context with random ids, sampled.
    public static func random() -> TraceParent {
        var ids: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &ids) { SecureRandom.fill($0) }
        // All-zero ids are invalid; one in 2^64 draws would make one.
        return TraceParent(
            traceIDHigh: ids.0, traceIDLow: ids.1 == 0 && ids.0 == 0 ? 1 : ids.1, parentSpanID: ids.2 == 0 ? 1 : ids.2,
            flags: 1
        )
    }

    /// The 32 lower-case hex digits of the trace id.
    public var traceID: String { Hex.string(traceIDHigh, traceIDLow) }

    /// The 16 lower-case hex digits of the parent span id.
    public var parentID: String { Hex.string(parentSpanID) }

    /// The header value, always version `00`; only the flags version `00` defines (sampled, random) are kept, since
    /// unknown bits from a newer peer must not be echoed.
    public var description: String {
        var output: [UInt8] = []
        output.reserveCapacity(55)
        output.append(contentsOf: "00-".utf8)
        Hex.append(traceIDHigh, byteCount: 8, to: &output)
        Hex.append(traceIDLow, byteCount: 8, to: &output)
        output.append(UInt8(ascii: "-"))
        Hex.append(parentSpanID, byteCount: 8, to: &output)
        output.append(UInt8(ascii: "-"))
        Hex.append(UInt64(flags & 0x03), byteCount: 1, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static func lowercaseHex(_ digits: ArraySlice<UInt8>) -> UInt64? {
        Hex.decodeInteger(digits, allowingUppercase: false)
    }
}
