/// One series' value in a sum or gauge (`opentelemetry.proto.metrics.v1.NumberDataPoint`).
public struct OTLPNumberDataPoint: Sendable, Hashable {
    /// An integer or floating-point measurement (also used by exemplars).
    public enum Value: Sendable, Hashable {
        /// A signed 64-bit integer.
        case int(Int64)
        /// A double.
        case double(Double)
    }

    /// The series' labels.
    public var attributes: OTLPAttributes
    /// When the cumulative series started, in nanoseconds since the Unix epoch (0 for gauges).
    public var startTimeUnixNano: UInt64
    /// When the value was observed, in nanoseconds since the Unix epoch.
    public var timeUnixNano: UInt64
    /// The value.
    public var value: Value
    /// Sample measurements with their trace context.
    public var exemplars: [OTLPExemplar]
    /// `DataPointFlags` (bit 0: no recorded value).
    public var flags: UInt32

    /// Creates a point.
    public init(
        attributes: OTLPAttributes = [:], startTimeUnixNano: UInt64 = 0, timeUnixNano: UInt64, value: Value,
        exemplars: [OTLPExemplar] = [], flags: UInt32 = 0
    ) {
        self.attributes = attributes
        self.startTimeUnixNano = startTimeUnixNano
        self.timeUnixNano = timeUnixNano
        self.value = value
        self.exemplars = exemplars
        self.flags = flags
    }
}
