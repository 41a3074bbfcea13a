import Tracing

extension ServiceContext {
    /// The span context of the current span (or the remote parent just extracted from a request).
    public var spanContext: SpanContext? {
        get { self[SpanContextKey.self]?.spanContext }
        // A context set from outside names no local span to look up.
        set { self[SpanContextKey.self] = newValue.map { StoredSpanContext(spanContext: $0, activeSpan: nil) } }
    }

    /// The span context with the reference ``TelemetryTracer/activeSpan(identifiedBy:)`` reads, in one entry: each
    /// service-context insert costs a dictionary write, and this one is made for every span.
    var storedSpanContext: StoredSpanContext? {
        get { self[SpanContextKey.self] }
        set { self[SpanContextKey.self] = newValue }
    }
}

/// What a context holds of its span.
struct StoredSpanContext: Sendable {
    var spanContext: SpanContext
    /// The local span, while it records; `nil` for remote and unsampled spans.
    var activeSpan: ActiveSpanReference?
}

/// The service-context key under which the span context travels.
enum SpanContextKey: ServiceContextKey {
    typealias Value = StoredSpanContext
    static var nameOverride: String? { "telemetry.span_context" }
}
