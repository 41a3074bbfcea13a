import Foundation
import Instrumentation
import PaymentsCore
import Telemetry
import Tracing

/// One trace per payment: the trace context of the request that created a payment is stored with it as a W3C
/// `traceparent`, and every later step (submission, webhook, ERP update) starts its span in that trace.
enum PaymentTrace {
    /// The context to continue a payment's trace in; top level when it has none.
    static func context(of traceParent: String?) -> ServiceContext {
        var context = ServiceContext.topLevel
        if let traceParent {
            InstrumentationSystem.instrument.extract(
                ["traceparent": traceParent], into: &context, using: TraceParentExtractor())
        }
        return context
    }

    /// The `traceparent` of a context, when a tracer put a span in it.
    static func traceParent(of context: ServiceContext) -> String? {
        // Our tracer's span context formats itself; another tracer's is asked through its propagator.
        if let spanContext = context.spanContext { return spanContext.traceParentHeader }
        var headers: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &headers, using: TraceParentInjector())
        return headers["traceparent"]
    }

    /// The payment's ids, as every span about it carries them.
    static func attributes(paymentID: UUID, clientRef: String) -> SpanAttributes {
        ["payment_id": .string(paymentID.lowercased), "client_ref": .string(clientRef)]
    }

    /// Runs `body` in a span named `name` in the payment's trace. The span and every span started inside it (the
    /// bank call, the HTTP client's own span) carry the payment's ids.
    static func withSpan<T>(
        _ name: String, traceParent: String?, paymentID: UUID, clientRef: String, kind: SpanKind = .internal,
        links: [ServiceContext] = [], _ body: (any Span) async throws -> T
    ) async rethrows -> T {
        var parent = context(of: traceParent)
        parent.inheritedSpanAttributes = attributes(paymentID: paymentID, clientRef: clientRef)
        let span = InstrumentationSystem.tracer.startAnySpan(name, context: parent, ofKind: kind)
        // Tracers other than ours know nothing of inherited attributes.
        span.attributes.merge(attributes(paymentID: paymentID, clientRef: clientRef))
        for link in links { span.addLink(SpanLink(context: link, attributes: [:])) }
        defer { span.end() }
        return try await ServiceContext.$current.withValue(span.context) { try await body(span) }
    }
}

struct TraceParentExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

struct TraceParentInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}
