import PaymentsSupport

extension SpanContext {
    /// A remote span context from a W3C `traceparent` header (see ``PaymentsSupport/TraceParent`` for what is
    /// accepted) and optionally its `tracestate`; `nil` when the `traceparent` is not valid. An invalid
    /// `tracestate` is dropped, not the whole context.
    public init?(traceParent: String, traceState: String? = nil) {
        guard let parsed = TraceParent(traceParent) else { return nil }
        self.init(
            traceID: TraceID(high: parsed.traceIDHigh, low: parsed.traceIDLow),
            spanID: SpanID(rawValue: parsed.parentSpanID), traceFlags: TraceFlags(rawValue: parsed.flags),
            traceState: traceState.flatMap { TraceState(header: $0) } ?? TraceState(), isRemote: true
        )
    }

    /// The `traceparent` header value for this context, always version `00`.
    public var traceParentHeader: String {
        TraceParent(
            traceIDHigh: traceID.high, traceIDLow: traceID.low, parentSpanID: spanID.rawValue,
            flags: traceFlags.rawValue
        ).description
    }
}
