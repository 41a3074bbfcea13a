/// The W3C `trace-flags` byte.
public struct TraceFlags: OptionSet, Sendable, Hashable {
    /// The byte as sent on the wire.
    public var rawValue: UInt8

    /// Wraps a raw byte; unknown bits are kept so they can be inspected, but children only inherit known ones.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// The caller recorded this span and asks downstream services to record theirs.
    public static let sampled = TraceFlags(rawValue: 0x01)

    /// W3C Trace Context level 2: the rightmost 7 bytes of the trace id are random.
    public static let random = TraceFlags(rawValue: 0x02)
}
