import Foundation
import Instrumentation
import PaymentsCore
import Tracing

/// One trace per payment: the trace context of the request that created a payment is stored with it as a W3C
/// `traceparent`, and every later step (submission, webhook, ERP update) starts its span in that trace.
enum PaymentTrace {
    /// The context to continue a payment's trace in; top level when it has none.
    static func context(of traceParent: String?) -> ServiceContext {
        var context = ServiceContext.topLevel
        if let traceParent {
            InstrumentationSystem.instrument.extract(["traceparent": traceParent], into: &context, using: TraceParentExtractor())
        }
        return context
    }

    /// The `traceparent` of a context, when a tracer put a span in it.
    static func traceParent(of context: ServiceContext) -> String? {
        var headers: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &headers, using: TraceParentInjector())
        return headers["traceparent"]
    }

    /// Runs `body` in a span named `name` in the payment's trace, with its ids as attributes.
    static func withSpan<T>(
        _ name: String, traceParent: String?, paymentID: UUID, clientRef: String, kind: SpanKind = .internal,
        links: [ServiceContext] = [], _ body: (any Span) async throws -> T
    ) async rethrows -> T {
        let span = InstrumentationSystem.tracer.startAnySpan(name, context: context(of: traceParent), ofKind: kind)
        span.attributes["payment_id"] = paymentID.lowercased
        span.attributes["client_ref"] = clientRef
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
