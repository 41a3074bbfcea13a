import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What `payments serve` exports over OTLP/HTTP, as a loopback collector receives it and the official OTLP
/// definitions (`opentelemetry-proto`) decode it: the real executable, the embedded bank sandbox, a real ERP
/// endpoint, one payment.
@Suite("OTLP export of a running server")
struct TelemetryExportTests {
    /// The spans, metrics and log records the collector received, decoded.
    struct Exported: @unchecked Sendable {  // decoded JSON, immutable once built
        var spans: [[String: Any]] = []
        /// Resource attributes of every request, in order.
        var resources: [[String: Any]] = []
        /// Metrics of each metrics request, in order.
        var metricExports: [[[String: Any]]] = []
        var logRecords: [[String: Any]] = []
        var unknownFields = 0
        var requests: [OTLPTestCollector.Request] = []

        func spans(named name: String) -> [[String: Any]] { spans.filter { $0["name"] as? String == name } }
        func span(named name: String) -> [String: Any]? { spans(named: name).first }

        init(_ requests: [OTLPTestCollector.Request]) throws {
            self.requests = requests
            for request in requests {
                let signal = String(request.path.split(separator: "/").last ?? "")
                let decoded = try OTLPOfficialDecoder.decode(
                    request.body, signal: signal, gzipped: request.headers["content-encoding"] == "gzip")
                unknownFields += decoded.unknownFieldCount
                let resourceKey = ["traces": "resourceSpans", "metrics": "resourceMetrics", "logs": "resourceLogs"][
                    signal]!
                let scopeKey = ["traces": "scopeSpans", "metrics": "scopeMetrics", "logs": "scopeLogs"][signal]!
                let itemKey = ["traces": "spans", "metrics": "metrics", "logs": "logRecords"][signal]!
                var metrics: [[String: Any]] = []
                for resource in OTLPJSON.objects(decoded.message, resourceKey) {
                    resources.append(OTLPJSON.attributes((resource["resource"] as? [String: Any])?["attributes"]))
                    for scope in OTLPJSON.objects(resource, scopeKey) {
                        let items = OTLPJSON.objects(scope, itemKey)
                        switch signal {
                        case "traces": spans += items
                        case "metrics": metrics += items
                        default: logRecords += items
                        }
                    }
                }
                if signal == "metrics" { metricExports.append(metrics) }
            }
        }
    }

    static let environment: [String: String] = [
        "PAYMENTS_API_KEYS": "acme:\(TestClients.acmeKey)", "BANK_BASE_URL": "sandbox",
        "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
        "OTEL_SERVICE_NAME": "payments-under-test",
        "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=test,team=payments",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_BLRP_SCHEDULE_DELAY": "100",
        "OTEL_METRIC_EXPORT_INTERVAL": "300",
    ]

    @Test(
        "One payment reads as one trace from the API request through the bank call and the webhook to the workers, with its ids on every span, the contract metrics and correlated log records, all gzipped"
    )
    func onePaymentEndToEnd() async throws {
        let caller = "00-5bd66ef5095369c7b0d1f8f4bd33716a-c532cb4098ac3dd2-01"
        let (exported, paymentID, traceID, openMetrics) = try await OTLPTestCollector.run { baseURL, collector in
            var paymentID = ""
            var traceID = ""
            var openMetrics = ""
            try await ERPReceiver.with { erp in
                try await EventReceiver.with { endpoint in
                    var environment = Self.environment
                    environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = baseURL
                    environment["ERP_WEBHOOK_URL"] = erp.url
                    environment["ERP_WEBHOOK_SECRET"] = "whsec_erp_test"
                    environment["CLIENT_WEBHOOK_ALLOW_PRIVATE"] = "true"
                    try await Self.withServe(environment: environment) { server, process in
                        let registered = try await server.request(
                            .POST, "/v1/webhook_endpoints",
                            body: #"{"url": "\#(endpoint.url)", "events": ["payment.completed"]}"#)
                        #expect(registered.status == 201)
                        let created = try await server.request(
                            .POST, "/v1/payments", body: PaymentBodies.bankAccount(clientRef: "OTLP-1"),
                            headers: [("traceparent", caller)])
                        #expect(created.status == 201)
                        paymentID = try #require(created.json.string("payment_id"))
                        traceID = try #require(created.json.string("trace_id"))
                        _ = try await server.waitForStatus(paymentID, "completed")
                        let deadline = ContinuousClock.now + .seconds(10)
                        while erp.received.isEmpty || endpoint.received.isEmpty, ContinuousClock.now < deadline {
                            try await Task.sleep(for: .milliseconds(50))
                        }
                        openMetrics =
                            try await server.request(
                                .GET, "/metrics", key: nil,
                                headers: [("Accept", "application/openmetrics-text; version=1.0.0")]
                            ).text
                        // Graceful shutdown flushes every signal; nothing ended before the signal may be missing.
                        process.signal(SIGTERM)
                        let status = await process.waitForExit(timeout: .seconds(20))
                        #expect(status == 0, "\(process.output.suffix(2000))")
                    }
                }
            }
            return (try Exported(await collector.requests), paymentID, traceID, openMetrics)
        }
        #expect(traceID == "5bd66ef5095369c7b0d1f8f4bd33716a")
        #expect(exported.unknownFields == 0)
        #expect(Set(exported.requests.map(\.path)) == ["/v1/traces", "/v1/metrics", "/v1/logs"])
        for request in exported.requests {
            #expect(request.headers["content-encoding"] == "gzip", "\(request.path)")
            #expect(request.headers["content-type"] == "application/x-protobuf", "\(request.path)")
        }
        for resource in exported.resources {
            #expect(resource["service.name"] as? String == "payments-under-test")
            #expect(resource["deployment.environment"] as? String == "test")
            #expect((resource["service.instance.id"] as? String)?.isEmpty == false)
            #expect(resource["service.version"] != nil)
        }
        #expect(Set(exported.resources.compactMap { $0["service.instance.id"] as? String }).count == 1)

        // Traces: one tree for the payment, rooted at the caller's span.
        let trace = exported.spans.filter { $0["traceId"] as? String == traceID }
        func named(_ name: String) -> [String: Any]? { trace.first { $0["name"] as? String == name } }
        let create = try #require(named("PaymentOrchestrator.create"), "\(trace.map { $0["name"] ?? "" })")
        let request = try #require(trace.first { $0["spanId"] as? String == create["parentSpanId"] as? String })
        #expect(request["parentSpanId"] as? String == "c532cb4098ac3dd2")
        #expect(request["kind"] as? String == "SPAN_KIND_SERVER")
        let submit = try #require(named("Worker.submit"))
        let bankCall = try #require(named("BankClient.submit"))
        let webhook = try #require(named("WebhookReceiver.receive"))
        let erpUpdate = try #require(named("Worker.erp_update"))
        #expect(submit["parentSpanId"] as? String == create["spanId"] as? String)
        #expect(bankCall["parentSpanId"] as? String == submit["spanId"] as? String)
        #expect(bankCall["kind"] as? String == "SPAN_KIND_CLIENT")
        #expect(webhook["parentSpanId"] as? String == create["spanId"] as? String)
        #expect(erpUpdate["parentSpanId"] as? String == create["spanId"] as? String)
        // The delivery to the client's endpoint is in the payment's trace too, under the span that created it.
        let delivery = try #require(named("Webhook.deliver"))
        #expect(delivery["parentSpanId"] as? String == create["spanId"] as? String)
        #expect(delivery["kind"] as? String == "SPAN_KIND_PRODUCER")
        #expect(OTLPJSON.attributes(delivery["attributes"])["event.type"] as? String == "payment.completed")
        // The HTTP client's own spans sit under ours: the bank request under BankClient.submit, the ERP post under
        // Worker.erp_update.
        let clientSpans = trace.filter { ($0["name"] as? String) == "POST" }
        #expect(clientSpans.contains { $0["parentSpanId"] as? String == bankCall["spanId"] as? String })
        #expect(clientSpans.contains { $0["parentSpanId"] as? String == erpUpdate["spanId"] as? String })
        for span in trace {
            let attributes = OTLPJSON.attributes(span["attributes"])
            #expect(attributes["payment_id"] as? String == paymentID, "\(span["name"] ?? "")")
            #expect(attributes["client_ref"] as? String == "OTLP-1", "\(span["name"] ?? "")")
        }
        #expect(OTLPJSON.attributes(submit["attributes"])["attempt"] as? String == "1")
        #expect(OTLPJSON.attributes(webhook["attributes"])["bank_ref"] != nil)
        // The webhook's own request is another trace (the bank's), linked from WebhookReceiver.receive and found by
        // the same payment_id.
        let link = try #require(OTLPJSON.objects(webhook, "links").first)
        let webhookRequest = try #require(exported.spans.first { $0["spanId"] as? String == link["spanId"] as? String })
        #expect(OTLPJSON.attributes(webhookRequest["attributes"])["payment_id"] as? String == paymentID)

        // Metrics: the contract's names and types, cumulative, from the last export (made at shutdown).
        let metrics = try #require(exported.metricExports.last)
        func metric(_ name: String) -> [String: Any]? { metrics.first { $0["name"] as? String == name } }
        func points(_ metric: [String: Any]?, _ kind: String) -> [[String: Any]] {
            OTLPJSON.objects(metric?[kind], "dataPoints")
        }
        let statuses = try #require(metric("payment_status_total")?["sum"] as? [String: Any])
        #expect(statuses["isMonotonic"] as? Bool == true)
        #expect(statuses["aggregationTemporality"] as? String == "AGGREGATION_TEMPORALITY_CUMULATIVE")
        let byStatus = Dictionary(
            uniqueKeysWithValues: OTLPJSON.objects(statuses, "dataPoints").map {
                (OTLPJSON.attributes($0["attributes"])["status"] as? String ?? "", $0["asDouble"] as? Double ?? -1)
            })
        #expect(byStatus["initiated"] == 1 && byStatus["processing"] == 1 && byStatus["completed"] == 1, "\(byStatus)")
        let bankDurations = points(metric("bank_request_duration_seconds"), "histogram")
        let accepted = try #require(
            bankDurations.first {
                let attributes = OTLPJSON.attributes($0["attributes"])
                return attributes["operation"] as? String == "submit" && attributes["outcome"] as? String == "accepted"
            })
        #expect(accepted["count"] as? String == "1")
        #expect((accepted["explicitBounds"] as? [Any])?.isEmpty == false)
        #expect(OTLPJSON.objects(accepted, "exemplars").contains { $0["traceId"] as? String == traceID })
        #expect(metric("bank_request_duration_seconds")?["unit"] as? String == "s")
        #expect(
            points(metric("payment_time_to_terminal_seconds"), "histogram").contains {
                OTLPJSON.attributes($0["attributes"])["status"] as? String == "completed"
                    && $0["count"] as? String == "1"
            })
        #expect(points(metric("payment_webhook_latency_seconds"), "histogram").first?["count"] != nil)
        #expect(points(metric("bank_circuit_state"), "gauge").first?["asDouble"] as? Double == 0)
        #expect(points(metric("telemetry_spans_dropped_total"), "sum").allSatisfy { $0["asDouble"] as? Double == 0 })
        #expect((metric("payment_status_total")?["description"] as? String)?.isEmpty == false)
        // The request metrics: the create request's duration, by route template, method and status, linked to the
        // payment's trace; on /metrics (OpenMetrics) and over OTLP alike.
        let created = try #require(
            points(metric("http_server_request_duration_seconds"), "histogram").first {
                let attributes = OTLPJSON.attributes($0["attributes"])
                return attributes["http_route"] as? String == "/v1/payments"
                    && attributes["http_request_method"] as? String == "POST"
                    && attributes["http_response_status_code"] as? String == "201"
            })
        #expect(created["count"] as? String == "1")
        #expect(OTLPJSON.objects(created, "exemplars").contains { $0["traceId"] as? String == traceID })
        #expect(
            openMetrics.split(separator: "\n").contains {
                $0.hasPrefix("http_server_request_duration_seconds_bucket{")
                    && $0.contains(
                        #"http_request_method="POST",http_response_status_code="201",http_route="/v1/payments""#)
                    && $0.contains(#"# {trace_id="\#(traceID)""#)
            }, "no exemplar of the create request on /metrics")
        #expect(points(metric("payment_submission_delay_seconds"), "histogram").first?["count"] as? String == "1")
        #expect(
            points(metric("payment_entries_total"), "sum").contains {
                OTLPJSON.attributes($0["attributes"])["client"] as? String == "acme" && $0["asDouble"] as? Double == 1
            })

        // Logs: the lines about the payment, linked to its trace.
        let initiated = try #require(
            exported.logRecords.first {
                ($0["body"] as? [String: Any])?["stringValue"] as? String == "Payment initiated"
            })
        #expect(initiated["traceId"] as? String == traceID)
        #expect(initiated["severityNumber"] as? String == "SEVERITY_NUMBER_INFO")
        #expect(OTLPJSON.attributes(initiated["attributes"])["payment_id"] as? String == paymentID)
        #expect(OTLPJSON.attributes(initiated["attributes"])["client_ref"] as? String == "OTLP-1")
        #expect(
            exported.logRecords.contains {
                ($0["body"] as? [String: Any])?["stringValue"] as? String == "Payment completed"
                    && $0["traceId"] as? String == traceID
            })
    }

    @Test(
        "With the collector down, payments are unaffected, drops and failures are counted, and shutdown finishes within its bound"
    )
    func collectorDown() async throws {
        var environment = Self.environment
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:\(freePort())"
        environment["OTEL_BSP_MAX_QUEUE_SIZE"] = "16"
        environment["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"] = "8"
        environment["OTEL_BSP_EXPORT_TIMEOUT"] = "500"
        environment["OTEL_BLRP_EXPORT_TIMEOUT"] = "500"
        environment["OTEL_METRIC_EXPORT_TIMEOUT"] = "500"
        try await Self.withServe(environment: environment) { server, process in
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let created = try await server.createPayment(clientRef: "DOWN-\(index)")
                        return created.status == 201 ? created.json.string("payment_id") : nil
                    }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(ids.compactMap { $0 }.count == 40)
            for id in ids.compactMap({ $0 }) {
                #expect(
                    try await server.waitForStatus(id, "completed", timeout: .seconds(20))["status"] as? String
                        == "completed")
            }
            let text = try await server.request(.GET, "/metrics", key: nil).text
            #expect(Self.value(of: #"telemetry_spans_dropped_total{signal="traces"}"#, in: text) ?? 0 > 0, "\(text)")
            #expect(Self.value(of: #"telemetry_export_failures_total{signal="traces"}"#, in: text) ?? 0 > 0)
            #expect(Self.value(of: #"telemetry_export_failures_total{signal="metrics"}"#, in: text) != nil)

            let signalled = ContinuousClock.now
            process.signal(SIGTERM)
            let status = await process.waitForExit(timeout: .seconds(20))
            #expect(status == 0, "\(process.output.suffix(2000))")
            // The flush bound is 10 s for spans and log records (side by side); the server's own drain comes first.
            #expect(ContinuousClock.now - signalled < .seconds(15))
        }
    }

    @Test("A bad OTEL setting stops start-up with one line naming it, never echoing a header value")
    func badTelemetrySettings() async throws {
        let cases: [([String: String], String)] = [
            (["OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer hunter2,broken"], "OTEL_EXPORTER_OTLP_HEADERS"),
            (["OTEL_METRIC_EXPORT_INTERVAL": "soon"], "OTEL_METRIC_EXPORT_INTERVAL"),
            (["OTEL_LOGS_EXPORTER": "console"], "OTEL_LOGS_EXPORTER"),
            (["OTEL_BLRP_MAX_QUEUE_SIZE": "0"], "OTEL_BLRP_MAX_QUEUE_SIZE"),
        ]
        for (environment, setting) in cases {
            var environment = environment
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4318"
            let process = try ManagedProcess(
                name: "bad-otel", arguments: ["serve"], environment: environment, logFolder: CommandLineTests.logFolder)
            let status = await process.waitForExit(timeout: .seconds(15))
            #expect(status != nil && status != 0, "\(setting)")
            #expect(process.output.split(separator: "\n").count == 1, "\(process.output)")
            #expect(process.output.contains(setting), "\(process.output)")
            #expect(!process.output.contains("hunter2"), "\(process.output)")
        }
    }

    /// Runs `payments serve` on SQLite with the embedded sandbox and `environment`, until `body` returns.
    static func withServe(
        environment: [String: String], _ body: (TestServer, ManagedProcess) async throws -> Void
    ) async throws {
        let port = freePort()
        let database = TestServer.temporaryDatabasePath()
        let process = try ManagedProcess(
            name: "serve-otlp", arguments: ["serve", "--port", "\(port)", "--database-url", "sqlite:\(database)"],
            environment: environment, logFolder: CommandLineTests.logFolder)
        let server = TestServer(
            baseURL: "http://127.0.0.1:\(port)", sandboxURL: nil, logs: .init(), databasePath: database)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let result = try? await server.request(.GET, "/readyz", key: nil), result.status == 200 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await body(server, process)
        process.signal(SIGTERM)
        _ = await process.waitForExit(timeout: .seconds(20))
    }

    /// The value of one series in a Prometheus text exposition.
    static func value(of series: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap {
            Double($0.split(separator: " ").last ?? "")
        }
    }
}
