/// A W3C Trace Context `traceparent` value: `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`.
public struct TraceParent: Sendable, Hashable, CustomStringConvertible {
    /// 32 lower-case hex digits, not all zero.
    public var traceID: String
    /// 16 lower-case hex digits, not all zero.
    public var parentID: String
    /// Trace flags; bit 0 is "sampled".
    public var flags: UInt8

    /// Parses a header value; `nil` when it does not follow the W3C format (version 00).
    public init?(_ header: String) {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", parts[1].count == 32, parts[2].count == 16,
            parts[3].count == 2, let traceBytes = hexDecoded(parts[1]), let parentBytes = hexDecoded(parts[2]),
            let flagBytes = hexDecoded(parts[3]), traceBytes.contains(where: { $0 != 0 }),
            parentBytes.contains(where: { $0 != 0 }), parts[0] != "00" || parts.count == 4
        else { return nil }
        traceID = parts[1].lowercased()
        parentID = parts[2].lowercased()
        flags = flagBytes[0]
    }

    /// A new root context with random ids, sampled.
    public static func random() -> TraceParent {
        var bytes = SecureRandom.bytes(24)
        // All-zero ids are invalid; one in 2^64 draws would make one.
        if bytes[0..<16].allSatisfy({ $0 == 0 }) { bytes[15] = 1 }
        if bytes[16..<24].allSatisfy({ $0 == 0 }) { bytes[23] = 1 }
        return TraceParent(traceID: bytes[0..<16].hexEncoded, parentID: bytes[16..<24].hexEncoded, flags: 1)
    }

    private init(traceID: String, parentID: String, flags: UInt8) {
        self.traceID = traceID
        self.parentID = parentID
        self.flags = flags
    }

    public var description: String { "00-\(traceID)-\(parentID)-\([flags].hexEncoded)" }
}
