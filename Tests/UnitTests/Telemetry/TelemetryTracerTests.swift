import Logging
import Telemetry
import Testing
import Tracing

@Suite struct TelemetryTracerTests {
    struct SampleError: Error, CustomStringConvertible {
        var description: String { "upstream said no" }
    }

    @Test func rootSpanStartsANewSampledTrace() throws {
        let processor = CollectingSpanProcessor()
        let tracer = TelemetryTracer(processor: processor)
        let span = tracer.startSpan("root", context: .topLevel)
        span.end()
        let finished = try #require(processor.spans.first)
        #expect(finished.parentSpanID == nil)
        #expect(finished.traceID.isValid && finished.spanID.isValid)
        #expect(finished.context.isSampled)
        #expect(finished.name == "root")
        #expect(finished.endTimeNanosecondsSinceEpoch >= finished.startTimeNanosecondsSinceEpoch)
    }

    @Test func childSpanSharesTheTraceAndPointsAtItsParent() throws {
        let processor = CollectingSpanProcessor()
        let tracer = TelemetryTracer(processor: processor)
        let parent = tracer.startSpan("parent", context: .topLevel)
        let child = tracer.startSpan("child", context: parent.context, ofKind: .client)
        child.end()
        parent.end()
        let spans = processor.spans
        #expect(spans.map(\.name) == ["child", "parent"])
        #expect(spans[0].traceID == spans[1].traceID)
        #expect(spans[0].parentSpanID == spans[1].spanID)
        #expect(spans[0].spanID != spans[1].spanID)
        #expect(spans[0].kind == .client)
    }

    @Test func withSpanMakesTheSpanCurrentForChildren() throws {
        let processor = CollectingSpanProcessor()
        let tracer = TelemetryTracer(processor: processor)
        tracer.withSpan("outer", context: .topLevel) { _ in
            tracer.withSpan("inner") { _ in }
        }
        let spans = processor.spans
        #expect(spans.map(\.name) == ["inner", "outer"])
        #expect(spans[0].parentSpanID == spans[1].spanID)
    }

    @Test func inheritedAttributesReachEverySpanStartedBelowThem() throws {
        let processor = CollectingSpanProcessor()
        let tracer = TelemetryTracer(processor: processor)
        var context = ServiceContext.topLevel
        context.inheritedSpanAttributes = ["order_id": "o-1"]
        let parent = tracer.startSpan("parent", context: context)
        // A library's span, started from the parent's context without knowing of order ids.
        let child = tracer.startSpan("library", context: parent.context)
        child.attributes["order_id"] = "overridden"
        child.end()
        parent.end()
        tracer.startSpan("unrelated", context: .topLevel).end()
        let spans = Dictionary(uniqueKeysWithValues: processor.spans.map { ($0.name, $0) })
        #expect(spans["parent"]?.attributes["order_id"] == .string("o-1"))
        #expect(spans["library"]?.attributes["order_id"] == .string("overridden"))
        #expect(spans["unrelated"]?.attributes["order_id"] == nil)
    }

    @Test func activeSpanFindsARecordingSpanByItsContextUntilItEnds() throws {
        let processor = CollectingSpanProcessor()
        let tracer = TelemetryTracer(processor: processor)
        let span = tracer.startSpan("request", context: .topLevel, ofKind: .server)
        tracer.activeSpan(identifiedBy: span.context)?.attributes["order_id"] = "o-2"
        #expect(tracer.activeSpan(identifiedBy: span.context) === span)
        span.end()
        #expect(tracer.activeSpan(identifiedBy: span.context) == nil)
        #expect(processor.spans.first?.attributes["order_id"] == .string("o-2"))
        // A remote parent extracted into a context is not a local span.
        var remote = ServiceContext.topLevel
        remote.spanContext = SpanContext(traceID: .random(), spanID: .random(), traceFlags: .sampled, isRemote: true)
        #expect(tracer.activeSpan(identifiedBy: remote) == nil)
    }

    @Test func ratioZeroSamplesNothingAndRatioOneEverything() {
        let none = TelemetryTracer(
            sampler: TraceSampler(root: .traceIDRatio(0), isParentBased: false),
            processor: CollectingSpanProcessor())
        let all = TelemetryTracer(
            sampler: TraceSampler(root: .traceIDRatio(1), isParentBased: false),
            processor: CollectingSpanProcessor())
        for _ in 0..<200 {
            #expect(!none.startSpan("x", context: .topLevel).isRecording)
            #expect(all.startSpan("x", context: .topLevel).isRecording)
        }
    }

    @Test func generatedIDsAreUniqueAndSpreadForRatioSampling() {
        let tracer = TelemetryTracer(
            sampler: TraceSampler(root: .traceIDRatio(0.5), isParentBased: false), processor: CollectingSpanProcessor())
        var traceIDs: Set<TraceID> = []
        var spanIDs: Set<SpanID> = []
        var sampled = 0
        for _ in 0..<4000 {
            let span = tracer.startSpan("x", context: .topLevel)
            traceIDs.insert(span.spanContext.traceID)
            spanIDs.insert(span.spanContext.spanID)
            if span.isRecording { sampled += 1 }
        }
        #expect(traceIDs.count == 4000)
        #expect(spanIDs.count == 4000)
        #expect((1700...2300).contains(sampled))  // about half; 4000 draws put 1700...2300 at > 9 sigma
    }

    @Test func ratioDecisionDependsOnlyOnTheTraceIDsRandomBits() {
        let half = TraceSampler(root: .traceIDRatio(0.5), isParentBased: false)
        #expect(half.shouldSample(traceID: TraceID(high: .max, low: 1), parent: nil))
        #expect(!half.shouldSample(traceID: TraceID(high: 0, low: 0x00ff_ffff_ffff_fff0), parent: nil))
        // The top byte of the low half is not part of the random part.
        #expect(half.shouldSample(traceID: TraceID(high: 0, low: 0xff00_0000_0000_0001), parent: nil))
    }

    @Test(arguments: [true, false])
    func parentBasedSamplingFollowsARemoteParent(sampled: Bool) throws {
        let processor = CollectingSpanProcessor()
        // The root sampler says the opposite, so the test fails if the parent is ignored.
        let tracer = TelemetryTracer(
            sampler: TraceSampler(root: sampled ? .alwaysOff : .alwaysOn), processor: processor)
        var context = ServiceContext.topLevel
        let flags = sampled ? "01" : "00"
        tracer.extract(
            ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-\(flags)"], into: &context,
            using: DictionaryExtractor())
        let span = tracer.startSpan("server", context: context, ofKind: .server)
        #expect(span.isRecording == sampled)
        #expect(span.spanContext.traceID.hexString == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(span.parentSpanID?.hexString == "00f067aa0ba902b7")
        span.end()
        #expect(processor.spans.count == (sampled ? 1 : 0))
    }

    @Test func unsampledSpanRecordsNothingButStillPropagates() throws {
        let processor = CollectingSpanProcessor()
        let tracer = TelemetryTracer(sampler: TraceSampler(root: .alwaysOff), processor: processor)
        let span = tracer.startSpan("quiet", context: .topLevel)
        span.attributes["k"] = "v"
        span.addEvent("e")
        span.recordError(SampleError())
        #expect(span.attributes.isEmpty)
        var headers: [String: String] = [:]
        tracer.inject(span.context, into: &headers, using: DictionaryInjector())
        let traceparent = try #require(headers["traceparent"])
        #expect(traceparent == "00-\(span.spanContext.traceID)-\(span.spanContext.spanID)-00")
        let child = tracer.startSpan("child", context: span.context)
        #expect(child.spanContext.traceID == span.spanContext.traceID)
        #expect(!child.isRecording)
        child.end()
        span.end()
        #expect(processor.spans.isEmpty)
    }

    @Test func recordsAttributesEventsErrorsStatusAndLinks() throws {
        let processor = CollectingSpanProcessor()
        let tracer = TelemetryTracer(processor: processor)
        let trigger = tracer.startSpan("trigger", context: .topLevel)
        let span = tracer.startSpan("work", context: .topLevel)
        span.attributes["order_ref"] = "abc"
        span.attributes["attempt"] = 2
        span.attributes["ratio"] = 0.5
        span.attributes["ok"] = true
        span.attributes["tags"] = ["a", "b"]
        span.addEvent(SpanEvent(name: "retry", attributes: ["delay_ms": 100]))
        span.recordError(SampleError())
        span.setStatus(SpanStatus(code: .error, message: "failed"))
        span.addLink(SpanLink(context: trigger.context, attributes: ["reason": "enqueued"]))
        span.operationName = "work.renamed"
        span.end()
        span.end()  // a second end is ignored
        let finished = try #require(processor.spans.first)
        #expect(processor.spans.count == 1)
        #expect(finished.name == "work.renamed")
        let attributes = finished.attributes
        #expect(attributes["order_ref"] == .string("abc"))
        #expect(attributes["attempt"] == .int(2))
        #expect(attributes["ratio"] == .double(0.5))
        #expect(attributes["ok"] == .bool(true))
        #expect(attributes["tags"] == .stringArray(["a", "b"]))
        #expect(finished.events.map(\.name) == ["retry", "exception"])
        #expect(finished.events[0].attributes["delay_ms"] == .int(100))
        let exception = finished.events[1].attributes
        #expect(exception["exception.message"] == .string("upstream said no"))
        #expect(exception["exception.type"].map { "\($0)" }?.contains("SampleError") == true)
        #expect(finished.status == SpanStatus(code: .error, message: "failed"))
        #expect(finished.links.count == 1)
        #expect(finished.links.first?.context.spanID == trigger.spanContext.spanID)
        #expect(finished.links.first?.attributes["reason"] == .string("enqueued"))
    }

    @Test func concurrentAttributeWritesAreAllKept() async throws {
        let processor = CollectingSpanProcessor()
        let tracer = TelemetryTracer(processor: processor)
        let span = tracer.startSpan("busy", context: .topLevel)
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for index in 0..<50 { span.attributes["w\(writer)-\(index)"] = index }
                }
            }
        }
        span.updateAttributes { $0["last"] = "yes" }
        span.end()
        let finished = try #require(processor.spans.first)
        #expect(finished.attributes.count == 401)
    }

    @Test func okStatusIsFinal() throws {
        let processor = CollectingSpanProcessor()
        let tracer = TelemetryTracer(processor: processor)
        let span = tracer.startSpan("s", context: .topLevel)
        span.setStatus(SpanStatus(code: .ok))
        span.setStatus(SpanStatus(code: .error))
        span.end()
        #expect(processor.spans.first?.status?.code == .ok)
    }

    @Test func withSpanRecordsAThrownErrorAsAnExceptionAndErrorStatus() throws {
        let processor = CollectingSpanProcessor()
        let tracer = TelemetryTracer(processor: processor)
        #expect(throws: SampleError.self) {
            try tracer.withSpan("failing", context: .topLevel) { _ in throw SampleError() }
        }
        let finished = try #require(processor.spans.first)
        #expect(finished.status?.code == .error)
        #expect(finished.events.map(\.name) == ["exception"])
    }

    @Test func metadataProviderGivesTheCurrentIds() throws {
        let tracer = TelemetryTracer(processor: CollectingSpanProcessor())
        #expect(ServiceContext.$current.withValue(nil) { Logger.MetadataProvider.traceContext.get() }.isEmpty)
        let span = tracer.startSpan("logged", context: .topLevel)
        let metadata = ServiceContext.withValue(span.context) { Logger.MetadataProvider.traceContext.get() }
        #expect(metadata["trace_id"] == .string(span.spanContext.traceID.hexString))
        #expect(metadata["span_id"] == .string(span.spanContext.spanID.hexString))
        let line = ServiceContext.withValue(span.context) { () -> String in
            let sink = InMemoryLogSink()
            let logger = Logger(label: "test") {
                JSONLogHandler(label: $0, sink: sink, metadataProvider: .traceContext)
            }
            logger.info("hello")
            return sink.lines.first ?? ""
        }
        #expect(line.contains("\"trace_id\":\"\(span.spanContext.traceID.hexString)\""))
        #expect(line.contains("\"span_id\":\"\(span.spanContext.spanID.hexString)\""))
        span.end()
    }
}
