import Foundation
import Instrumentation
import Telemetry
import Testing
import Tracing

/// The process-wide tracer of the test process: spans of every test land in one in-memory exporter, and each test
/// picks out its own payment's trace. (InstrumentationSystem can be bootstrapped once per process.)
enum TestTracing {
    static let exporter = InMemorySpanExporter()
    static let processor = BatchSpanProcessor(
        exporter: exporter, configuration: BatchProcessorConfiguration(scheduleDelay: .milliseconds(50))
    )
    static let bootstrapped: Bool = {
        InstrumentationSystem.bootstrap(TelemetryTracer(processor: processor))
        Task { try await processor.run() }
        return true
    }()
}

@Suite("One trace per payment")
struct PaymentTracingTests {
    @Test(
        "Creation, submission, bank call, webhook and ERP worker share the payment's trace, each span carrying its ids")
    func paymentTraceEndToEnd() async throws {
        #expect(TestTracing.bootstrapped)
        let options = TestServer.Options.embedded()
        try await TestServer.with(options) { server in
            let caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            let created = try await server.request(
                .POST, "/v1/payments", body: PaymentBodies.bankAccount(clientRef: "TRACE-1"),
                headers: [("traceparent", caller)]
            )
            let id = try #require(created.json.string("payment_id"))
            #expect(created.json.string("trace_id") == "0af7651916cd43dd8448eb211c80319c")
            _ = try await server.waitForStatus(id, "completed")

            let expected = [
                "PaymentOrchestrator.create", "Worker.submit", "BankClient.submit", "WebhookReceiver.receive",
                "Worker.erp_update",
            ]
            var spans: [FinishedSpan] = []
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                spans = TestTracing.exporter.spans.filter { $0.traceID.hexString == "0af7651916cd43dd8448eb211c80319c" }
                if Set(expected).isSubset(of: Set(spans.map(\.name))) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let names = Set(spans.map(\.name))

            for name in expected { #expect(names.contains(name), "missing span \(name); have \(names.sorted())") }
            func span(_ name: String) -> FinishedSpan? { spans.first { $0.name == name } }
            let create = try #require(span("PaymentOrchestrator.create"))
            // The HTTP server span continues the caller's traceparent; creation is its child.
            let server = try #require(spans.first { $0.spanID == create.parentSpanID })
            #expect(server.parentSpanID?.hexString == "b7ad6b7169203331")
            #expect(server.name == "/v1/payments")
            #expect(server.attributes["payment_id"] == .string(id))
            #expect(server.attributes["client_ref"] == .string("TRACE-1"))
            #expect(server.attributes["http.response.status_code"] == .int(201))
            #expect(span("Worker.submit")?.parentSpanID == create.spanID)
            #expect(span("BankClient.submit")?.parentSpanID == span("Worker.submit")?.spanID)
            #expect(span("WebhookReceiver.receive")?.parentSpanID == create.spanID)
            #expect(span("Worker.erp_update")?.parentSpanID == create.spanID)
            #expect(span("WebhookReceiver.receive")?.links.isEmpty == false)
            // The workers' spans are children of the payment's context: no second, link-shaped path to it.
            #expect(span("Worker.submit")?.links.isEmpty == true)
            #expect(span("Worker.erp_update")?.links.isEmpty == true)
            for name in expected {
                let attributes = span(name)?.attributes ?? [:]
                #expect(attributes["payment_id"] == .string(id), "\(name)")
                #expect(attributes["client_ref"] == .string("TRACE-1"), "\(name)")
            }
            #expect(span("Worker.submit")?.attributes["attempt"] == .int(1))
            #expect(span("BankClient.submit")?.kind == .client)
        }
    }

    @Test(
        "Each request is a server span named for its route, with its status and method, and no client_ref in the query")
    func requestSpans() async throws {
        #expect(TestTracing.bootstrapped)
        try await TestServer.with(TestServer.Options()) { server in
            let listed = "00-1af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            let missing = "00-2af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            #expect(
                try await server.request(
                    .GET, "/v1/payments?client_ref=INV-SECRET&limit=5", headers: [("traceparent", listed)]
                ).status == 200)
            #expect(try await server.request(.GET, "/v1/nowhere", headers: [("traceparent", missing)]).status == 404)
            func serverSpan(_ traceParent: String) async throws -> FinishedSpan {
                let traceID = String(traceParent.split(separator: "-")[1])
                let deadline = ContinuousClock.now + .seconds(5)
                while ContinuousClock.now < deadline {
                    if let span = TestTracing.exporter.spans.first(where: {
                        $0.traceID.hexString == traceID && $0.kind == .server
                    }) {
                        return span
                    }
                    try await Task.sleep(for: .milliseconds(50))
                }
                throw CancellationError()
            }
            let list = try await serverSpan(listed)
            #expect(list.name == "/v1/payments")
            #expect(list.parentSpanID?.hexString == "b7ad6b7169203331")
            #expect(list.attributes["http.request.method"] == .string("GET"))
            #expect(list.attributes["http.route"] == .string("/v1/payments"))
            #expect(list.attributes["url.path"] == .string("/v1/payments"))
            #expect(list.attributes["url.query"] == .string("client_ref=REDACTED&limit=5"))
            #expect(list.attributes["http.response.status_code"] == .int(200))
            #expect(list.status?.code != .error)
            let notFound = try await serverSpan(missing)
            #expect(notFound.attributes["http.response.status_code"] == .int(404))
            #expect(notFound.attributes["url.path"] == .string("/v1/nowhere"))
        }
    }
}
