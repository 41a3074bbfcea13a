/// One series of an explicit-bucket histogram (`opentelemetry.proto.metrics.v1.HistogramDataPoint`).
///
/// `bucketCounts` has one more element than `explicitBounds`: bucket `i` counts values in
/// `(explicitBounds[i-1], explicitBounds[i]]`, and the last one those above the last bound.
public struct OTLPHistogramDataPoint: Sendable, Hashable {
    /// The series' labels.
    public var attributes: OTLPAttributes
    /// When the cumulative series started, in nanoseconds since the Unix epoch.
    public var startTimeUnixNano: UInt64
    /// When the values were observed, in nanoseconds since the Unix epoch.
    public var timeUnixNano: UInt64
    /// How many values were recorded.
    public var count: UInt64
    /// The sum of the values, when meaningful (omitted for histograms that may record negative values).
    public var sum: Double?
    /// Per-bucket counts; one more than `explicitBounds`.
    public var bucketCounts: [UInt64]
    /// The buckets' upper bounds, ascending.
    public var explicitBounds: [Double]
    /// Sample measurements with their trace context.
    public var exemplars: [OTLPExemplar]
    /// The smallest value recorded, if tracked.
    public var min: Double?
    /// The largest value recorded, if tracked.
    public var max: Double?
    /// `DataPointFlags` (bit 0: no recorded value).
    public var flags: UInt32

    /// Creates a point.
    public init(
        attributes: OTLPAttributes = [:], startTimeUnixNano: UInt64, timeUnixNano: UInt64, count: UInt64,
        sum: Double?, bucketCounts: [UInt64], explicitBounds: [Double], exemplars: [OTLPExemplar] = [],
        min: Double? = nil, max: Double? = nil, flags: UInt32 = 0
    ) {
        self.attributes = attributes
        self.startTimeUnixNano = startTimeUnixNano
        self.timeUnixNano = timeUnixNano
        self.count = count
        self.sum = sum
        self.bucketCounts = bucketCounts
        self.explicitBounds = explicitBounds
        self.exemplars = exemplars
        self.min = min
        self.max = max
        self.flags = flags
    }
}
