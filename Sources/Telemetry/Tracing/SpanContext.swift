/// The identity of a span as it crosses process boundaries: what `traceparent`/`tracestate` carry.
///
/// It lives in a `ServiceContext` (see ``ServiceContextModule/ServiceContext/spanContext``), so everything that
/// already passes a service context along — Hummingbird, AsyncHTTPClient, `withSpan` — carries it for free.
public struct SpanContext: Sendable, Hashable {
    /// The trace this span belongs to.
    public var traceID: TraceID
    /// This span's id.
    public var spanID: SpanID
    /// The W3C flags; ``TraceFlags/sampled`` decides whether the span is recorded and exported.
    public var traceFlags: TraceFlags
    /// Vendor state carried alongside.
    public var traceState: TraceState
    /// `true` when the context came from another process through ``W3CPropagator/extract(_:into:using:)``.
    public var isRemote: Bool

    /// Creates a span context.
    public init(
        traceID: TraceID, spanID: SpanID, traceFlags: TraceFlags, traceState: TraceState = TraceState(),
        isRemote: Bool = false
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.traceFlags = traceFlags
        self.traceState = traceState
        self.isRemote = isRemote
    }

    /// Whether the span is recorded and exported.
    public var isSampled: Bool { traceFlags.contains(.sampled) }
}
