import Tracing

/// Our swift-distributed-tracing `Tracer`: W3C propagation, a parent-based sampler and a span processor.
///
/// Bootstrap it once so Hummingbird's and AsyncHTTPClient's instrumentation (and every `withSpan`) use it:
///
/// ```swift
/// let processor = BatchSpanProcessor(exporter: otlpExporter, configuration: try .init(environment: env))
/// let tracer = TelemetryTracer(sampler: try TraceSampler(environment: env), processor: processor)
/// InstrumentationSystem.bootstrap(tracer)
/// // run `processor` in the ServiceGroup, last to stop
/// try await withSpan("Checkout.start") { span in span.attributes["order_id"] = id }
/// ```
public final class TelemetryTracer: Tracer {
    /// The span type.
    public typealias Span = TelemetrySpan

    /// The sampler applied to each new span.
    public let sampler: TraceSampler
    private let processor: any SpanProcessor
    private let propagator = W3CPropagator()
    private let ids = SplitMixIDGenerator()

    /// Creates a tracer.
    ///
    /// ```swift
    /// let tracer = TelemetryTracer(processor: BatchSpanProcessor(exporter: InMemorySpanExporter()))
    /// ```
    public init(sampler: TraceSampler = .default, processor: some SpanProcessor) {
        self.sampler = sampler
        self.processor = processor
    }

    /// Starts a span: a child of `context.spanContext` (local or remote) or, without one, the root of a new trace.
    /// The sampler decides at once; an unsampled span records nothing but still propagates its context.
    ///
    /// ```swift
    /// let span = tracer.startSpan("Worker.sendReceipt", context: storedContext, ofKind: .consumer)
    /// defer { span.end() }
    /// ```
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
    ///
    /// ```swift
    /// InstrumentationSystem.tracer.activeSpan(identifiedBy: ServiceContext.current ?? .topLevel)?
    ///     .attributes["order_id"] = id
    /// ```
    public func activeSpan(identifiedBy context: ServiceContext) -> TelemetrySpan? {
        context.storedSpanContext?.activeSpan?.span
    }

    /// Asks the processor to export what it holds now, without waiting (the protocol's `forceFlush` is synchronous).
    ///
    /// ```swift
    /// tracer.forceFlush()
    /// ```
    public func forceFlush() {
        let processor = processor
        Task { await processor.forceFlush() }
    }

    /// Reads `traceparent`, `tracestate` and `baggage` (see ``W3CPropagator``).
    ///
    /// ```swift
    /// var context = ServiceContext.topLevel
    /// tracer.extract(headers, into: &context, using: DictionaryExtractor())
    /// ```
    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract
    ) where Extract.Carrier == Carrier {
        propagator.extract(carrier, into: &context, using: extractor)
    }

    /// Writes `traceparent`, `tracestate` and `baggage` (see ``W3CPropagator``).
    ///
    /// ```swift
    /// var headers: [String: String] = [:]
    /// tracer.inject(span.context, into: &headers, using: DictionaryInjector())
    /// ```
    public func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext, into carrier: inout Carrier, using injector: Inject
    ) where Inject.Carrier == Carrier {
        propagator.inject(context, into: &carrier, using: injector)
    }
}
