import Telemetry
import Testing
import Tracing

@Suite struct W3CPropagatorTests {
    @Test func injectThenExtractRoundTrips() throws {
        let tracer = TelemetryTracer(processor: CollectingSpanProcessor())
        var parentContext = ServiceContext.topLevel
        tracer.extract(
            [
                "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "tracestate": "rojo=00f067aa0ba902b7",
                "baggage": "tenant=blue,note=a%20b",
            ], into: &parentContext, using: DictionaryExtractor())
        let span = tracer.startSpan("client call", context: parentContext, ofKind: .client)

        var headers: [String: String] = [:]
        tracer.inject(span.context, into: &headers, using: DictionaryInjector())
        #expect(headers["traceparent"] == "00-4bf92f3577b34da6a3ce929d0e0e4736-\(span.spanContext.spanID)-01")
        #expect(headers["tracestate"] == "rojo=00f067aa0ba902b7")
        #expect(headers["baggage"] == "tenant=blue,note=a%20b")

        var received = ServiceContext.topLevel
        tracer.extract(headers, into: &received, using: DictionaryExtractor())
        let remote = try #require(received.spanContext)
        #expect(remote.traceID == span.spanContext.traceID)
        #expect(remote.spanID == span.spanContext.spanID)
        #expect(remote.isSampled)
        #expect(remote.isRemote)
        #expect(remote.traceState["rojo"] == "00f067aa0ba902b7")
        #expect(received.baggage?["note"] == "a b")
        span.end()
    }

    @Test func invalidTraceparentLeavesTheContextEmpty() {
        var context = ServiceContext.topLevel
        W3CPropagator().extract(
            ["traceparent": "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"], into: &context,
            using: DictionaryExtractor())
        #expect(context.spanContext == nil)
    }

    @Test func nothingIsInjectedWithoutASpan() {
        var headers: [String: String] = [:]
        W3CPropagator().inject(.topLevel, into: &headers, using: DictionaryInjector())
        #expect(headers.isEmpty)
    }

    @Test func bootstrappedTracerIsWhatLibrariesReach() {
        // Hummingbird and AsyncHTTPClient call InstrumentationSystem.instrument.extract/inject; the tracer is that
        // instrument once bootstrapped. Checked through the Instrument protocol the libraries use.
        let instrument: any Instrument = TelemetryTracer(processor: CollectingSpanProcessor())
        var context = ServiceContext.topLevel
        instrument.extract(
            ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"], into: &context,
            using: DictionaryExtractor())
        var headers: [String: String] = [:]
        instrument.inject(context, into: &headers, using: DictionaryInjector())
        #expect(headers["traceparent"] == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    }
}
