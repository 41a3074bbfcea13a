import Tracing

/// Our swift-distributed-tracing `Tracer`: W3C propagation, a parent-based sampler and a span processor.
///
/// Bootstrap it once so Hummingbird's and AsyncHTTPClient's instrumentation (and every `withSpan`) use it:
public final class TelemetryTracer: Tracer {
    /// The span type.
    public typealias Span = TelemetrySpan

    /// The sampler applied to each new span.
    public let sampler: TraceSampler
    private let processor: any SpanProcessor
    private let propagator = W3CPropagator()
    private let ids = SplitMixIDGenerator()

    /// Creates a tracer.
    public init(sampler: TraceSampler = .default, processor: some SpanProcessor) {
        self.sampler = sampler
        self.processor = processor
    }

    /// Starts a span: a child of `context.spanContext` (local or remote) or, without one, the root of a new trace.
    /// The sampler decides at once; an unsampled span records nothing but still propagates its context.
    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> TelemetrySpan {
        var context = context()
        let parent = context.spanContext
        let traceID = parent?.traceID ?? ids.traceID()
        let sampled = sampler.shouldSample(traceID: traceID, parent: parent)
        let spanContext = SpanContext(
            traceID: traceID, spanID: ids.spanID(),
            traceFlags: sampled ? .sampled : [], traceState: parent?.traceState ?? TraceState(), isRemote: false)
        // Only recording spans can be looked up: an unsampled one would take no attributes anyway.
        let reference = sampled ? ActiveSpanReference() : nil
        context.storedSpanContext = StoredSpanContext(spanContext: spanContext, activeSpan: reference)
        let span = TelemetrySpan(
            name: operationName, context: context, spanContext: spanContext, parentSpanID: parent?.spanID,
            kind: kind, startTimeNanosecondsSinceEpoch: sampled ? instant().nanosecondsSinceEpoch : 0,
            processor: sampled ? processor : nil, activeReference: reference)
        if let reference {
            reference.set(span)
            if let inherited = context.inheritedSpanAttributes { span.attributes.merge(inherited) }
        }
        return span
    }

    /// The span whose context `context` is, while it is recording; `nil` once it ended, or for an unsampled or
    /// remote span. This lets code add attributes to a span that a library started, such as the HTTP server span
    /// around a request handler.
    public func activeSpan(identifiedBy context: ServiceContext) -> TelemetrySpan? {
        context.storedSpanContext?.activeSpan?.span
    }

    /// Asks the processor to export what it holds now, without waiting (the protocol's `forceFlush` is synchronous).
    public func forceFlush() {
        let processor = processor
        Task { await processor.forceFlush() }
    }

    /// Reads `traceparent`, `tracestate` and `baggage` (see ``W3CPropagator``).
    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract
    ) where Extract.Carrier == Carrier {
        propagator.extract(carrier, into: &context, using: extractor)
    }

    /// Writes `traceparent`, `tracestate` and `baggage` (see ``W3CPropagator``).
    public func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext, into carrier: inout Carrier, using injector: Inject
    ) where Inject.Carrier == Carrier {
        propagator.inject(context, into: &carrier, using: injector)
    }
}
