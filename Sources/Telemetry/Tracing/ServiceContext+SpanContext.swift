import Tracing

extension ServiceContext {
    /// The span context of the current span (or the remote parent just extracted from a request).
    ///
    /// ```swift
    /// if let span = ServiceContext.current?.spanContext {
    ///     logger.info("working", metadata: ["trace_id": "\(span.traceID)"])
    /// }
    /// ```
    public var spanContext: SpanContext? {
        get { self[SpanContextKey.self] }
        set { self[SpanContextKey.self] = newValue }
    }
}

/// The service-context key under which ``SpanContext`` travels.
///
/// ```swift
/// var context = ServiceContext.topLevel
/// context[SpanContextKey.self] = spanContext   // same as context.spanContext = spanContext
/// ```
public enum SpanContextKey: ServiceContextKey {
    /// The stored value.
    public typealias Value = SpanContext
    /// A stable name for debugging output.
    public static var nameOverride: String? { "telemetry.span_context" }
}
