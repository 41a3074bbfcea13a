/// One metric stream's current state, ready for export (`opentelemetry.proto.metrics.v1.Metric` plus its resource
/// and scope).
public struct OTLPMetricData: Sendable, Hashable {
    /// Whether points hold changes since the last export or totals since the start time.
    public enum AggregationTemporality: UInt8, Sendable, Hashable {
        /// Changes since the previous export.
        case delta = 1
        /// Totals since `startTimeUnixNano`.
        case cumulative = 2
    }

    /// The metric's kind and points (the `data` oneof of `Metric`).
    public enum Data: Sendable, Hashable {
        /// A sum (a counter when monotonic), with integer or floating-point points.
        case sum(
            isMonotonic: Bool, temporality: AggregationTemporality = .cumulative, points: [OTLPNumberDataPoint])
        /// A gauge: the last value of each series.
        case gauge(points: [OTLPNumberDataPoint])
        /// An explicit-bucket histogram.
        case histogram(temporality: AggregationTemporality = .cumulative, points: [OTLPHistogramDataPoint])

        /// How many data points this holds (what a collector counts in `rejected_data_points`).
        public var pointCount: Int {
            switch self {
            case .sum(_, _, let points), .gauge(let points): points.count
            case .histogram(_, let points): points.count
            }
        }
    }

    /// The process or service that produced the metric.
    public var resource: OTLPResource
    /// The meter that produced the metric.
    public var scope: OTLPInstrumentationScope
    /// The metric's name, such as `http_requests_total`.
    public var name: String
    /// A human-readable description.
    public var description: String
    /// The UCUM unit, such as `s` or `1`.
    public var unit: String
    /// The kind and points.
    public var data: Data

    /// Creates a metric.
    public init(
        resource: OTLPResource, scope: OTLPInstrumentationScope, name: String, description: String = "",
        unit: String = "", data: Data
    ) {
        self.resource = resource
        self.scope = scope
        self.name = name
        self.description = description
        self.unit = unit
        self.data = data
    }
}
