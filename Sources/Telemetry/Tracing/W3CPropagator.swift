import Tracing

/// Reads and writes the W3C `traceparent`, `tracestate` and `baggage` headers through swift-distributed-tracing's
/// `Injector`/`Extractor`, so Hummingbird's and AsyncHTTPClient's built-in instrumentation use it unchanged.
///
/// ``TelemetryTracer`` forwards its `Instrument` methods here; use this type directly only to propagate without a
/// tracer (for example when storing a context with a record and resuming it later).
public struct W3CPropagator: Instrument {
    /// The header names, lower-case as HTTP/2 requires.
    public static let traceParentHeader = "traceparent"
    /// The `tracestate` header name.
    public static let traceStateHeader = "tracestate"
    /// The `baggage` header name.
    public static let baggageHeader = "baggage"

    /// Creates the propagator.
    public init() {}

    /// Sets `context.spanContext` (marked remote) from a valid `traceparent`, and `context.baggage` from `baggage`.
    /// An invalid `traceparent` leaves the context untouched, so the next span starts a new trace as the spec asks.
    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract
    ) where Extract.Carrier == Carrier {
        if let traceParent = extractor.extract(key: Self.traceParentHeader, from: carrier),
            let spanContext = SpanContext(
                traceParent: traceParent, traceState: extractor.extract(key: Self.traceStateHeader, from: carrier))
        {
            context.spanContext = spanContext
        }
        if let header = extractor.extract(key: Self.baggageHeader, from: carrier), let baggage = Baggage(header: header)
        {
            context.baggage = baggage
        }
    }

    /// Writes `traceparent` (and `tracestate`, `baggage` when non-empty) for the context's span.
    public func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext, into carrier: inout Carrier, using injector: Inject
    ) where Inject.Carrier == Carrier {
        if let spanContext = context.spanContext {
            injector.inject(spanContext.traceParentHeader, forKey: Self.traceParentHeader, into: &carrier)
            if !spanContext.traceState.isEmpty {
                injector.inject(spanContext.traceState.headerValue, forKey: Self.traceStateHeader, into: &carrier)
            }
        }
        if let baggage = context.baggage, !baggage.isEmpty {
            let header = baggage.headerValue
            if !header.isEmpty { injector.inject(header, forKey: Self.baggageHeader, into: &carrier) }
        }
    }
}
