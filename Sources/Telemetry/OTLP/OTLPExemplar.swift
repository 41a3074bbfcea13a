/// A sample measurement kept with a data point, linking the metric to the trace that was active when it was
/// recorded (`opentelemetry.proto.metrics.v1.Exemplar`).
public struct OTLPExemplar: Sendable, Hashable {
    /// Attributes of the measurement that are not already on its data point.
    public var filteredAttributes: OTLPAttributes
    /// When the measurement was recorded, in nanoseconds since the Unix epoch.
    public var timeUnixNano: UInt64
    /// The measured value.
    public var value: OTLPNumberDataPoint.Value
    /// The span active at the time, if it was sampled.
    public var spanID: SpanID?
    /// The trace active at the time, if it was sampled.
    public var traceID: TraceID?

    /// Creates an exemplar.
    public init(
        filteredAttributes: OTLPAttributes = [:], timeUnixNano: UInt64, value: OTLPNumberDataPoint.Value,
        spanID: SpanID? = nil, traceID: TraceID? = nil
    ) {
        self.filteredAttributes = filteredAttributes
        self.timeUnixNano = timeUnixNano
        self.value = value
        self.spanID = spanID
        self.traceID = traceID
    }
}
