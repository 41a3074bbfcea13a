import Foundation

/// All series of one metric name, as read from a ``MetricsRegistry``.
public struct MetricFamily: Sendable {
    /// What kind of metric it is.
    public enum Kind: String, Sendable {
        case counter
        case gauge
        case histogram
    }

    /// The metric's name.
    public var name: String
    /// Its kind.
    public var kind: Kind
    /// One sample per label set.
    public var samples: [MetricSample]
}

/// One series' value.
public struct MetricSample: Sendable {
    /// Its labels, sorted by name.
    public var labels: [LabelPair]
    /// Its value.
    public var value: MetricValue
    /// Since when the value has been accumulating: when the series was first made (a series destroyed and made
    /// again starts anew).
    public var startTime: Date
}

/// A series' value by kind.
public enum MetricValue: Sendable {
    case counter(Double)
    case gauge(Double)
    case histogram(HistogramValue)
}

/// A cumulative histogram.
public struct HistogramValue: Sendable {
    /// Upper bounds, ascending (the `+Inf` bucket is implied).
    public var bounds: [Double]
    /// Cumulative-from-zero counts per bucket, not cumulative across buckets: `counts[i]` observations fell in
    /// bucket `i`; the last element is the `+Inf` overflow bucket.
    public var counts: [UInt64]
    /// Sum of observations.
    public var sum: Double
    /// Number of observations.
    public var count: UInt64
    /// The latest exemplar of each bucket (same indices as `counts`).
    public var exemplars: [Exemplar?]
}

/// A recorded value with the trace it was recorded in.
public struct Exemplar: Sendable {
    /// The sampled trace and span active when a value was recorded.
    public struct Context: Sendable {
        /// The trace.
        public var traceID: TraceID
        /// The span.
        public var spanID: SpanID

        /// Creates a context.
        public init(traceID: TraceID, spanID: SpanID) {
            self.traceID = traceID
            self.spanID = spanID
        }
    }

    /// The trace and span.
    public var context: Context
    /// The value recorded.
    public var value: Double
    /// When.
    public var time: Date
}
