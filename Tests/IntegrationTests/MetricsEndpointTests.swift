import Foundation
import PaymentsApp
import PaymentsCore
import PaymentsSupport
import Telemetry
import Testing

@Suite("/metrics")
struct MetricsEndpointTests {
    @Test(
        "After payments settle and a return and a forged webhook, /metrics has the contract metrics and passes promtool"
    )
    func contractMetrics() async throws {
        var options = TestServer.Options()
        options.registry = MetricsRegistry()
        try await TestServer.with(options) { server in
            let id = try #require(try await server.createPayment(clientRef: "MET-1").json.string("payment_id"))
            _ = try await server.waitForStatus(id, "completed")
            _ = try await server.sendWebhook(
                PaymentBodies.webhook(paymentID: id, status: "returned", returnCode: "R01"))
            _ = try await server.sendWebhook(
                PaymentBodies.webhook(paymentID: id, status: "returned"), secret: "whsec_forged")
            _ = try await server.waitForStatus(id, "returned")

            let metrics = try await server.request(.GET, "/metrics", key: nil)
            #expect(metrics.status == 200)
            #expect(metrics.headers.first(name: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = metrics.text
            for line in [
                #"payment_status_total{status="initiated"} 1"#, #"payment_status_total{status="processing"} 1"#,
                #"payment_status_total{status="completed"} 1"#, #"payment_status_total{status="returned"} 1"#,
                #"payment_returns_total{return_class="other",return_code="R01"} 1"#,
                #"payment_client_returns_total{client="acme",return_class="other"} 1"#,
                #"payment_entries_total{client="acme"} 1"#, "payment_submission_delay_seconds_count 1",
                #"webhook_rejected_total{reason="signature_mismatch"} 1"#,
                "bank_circuit_state 0",
            ] {
                #expect(text.contains(line + "\n"), "missing: \(line)")
            }
            for family in [
                "payment_webhook_latency_seconds_count", "payment_time_to_terminal_seconds_count{status=\"completed\"}",
                #"bank_request_duration_seconds_count{operation="submit",outcome="accepted"}"#,
            ] {
                #expect(text.contains(family), "missing: \(family)")
            }

            let openMetrics = try await server.request(
                .GET, "/metrics", key: nil, headers: [("Accept", "application/openmetrics-text; version=1.0.0")])
            #expect(openMetrics.headers.first(name: "Content-Type")?.hasPrefix("application/openmetrics-text") == true)
            #expect(openMetrics.text.hasSuffix("# EOF\n"))

            try PromtoolCheck.metrics(text)

            // Every family the service registered is one docs/metrics.md and the descriptions know of.
            let families = Set(
                text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
                    .map(String.init)
            )
            #expect(families.subtracting(MetricDescriptions.all.keys).sorted() == [])
        }
    }

    @Test(
        "payment_webhook_delivery_lag_seconds: occurred_at to receipt for each verified, well-formed webhook, clamped at 0"
    )
    func webhookDeliveryLag() async throws {
        var options = TestServer.Options()
        options.registry = MetricsRegistry()
        try await TestServer.with(options) { server in
            // The sandbox's own webhooks go nowhere, so that only the ones below are counted.
            try await server.redirectSandboxWebhooks(to: "http://127.0.0.1:9/webhook/payments")
            let id = try #require(try await server.createPayment(clientRef: "LAG-1").json.string("payment_id"))
            _ = try await server.waitForStatus(id, "processing")
            let before = try await server.request(.GET, "/metrics", key: nil).text
            #expect((Self.value("payment_webhook_delivery_lag_seconds_count", in: before) ?? 0) == 0)

            // Forty seconds late, then five minutes early (the bank's clock ahead of ours), then a forged and a
            // malformed one, which are not counted.
            func event(_ occurredAt: Date) -> String {
                """
                {"event_id": "evt_\(UUID().uuidString)", "payment_id": "\(id)", "bank_ref": null, "status": "completed", \
                "return_code": null, "reason": null, "occurred_at": "\(Timestamp.format(occurredAt))"}
                """
            }
            #expect(try await server.sendWebhook(event(Date().addingTimeInterval(-40))).status == 200)
            #expect(try await server.sendWebhook(event(Date().addingTimeInterval(290))).status == 200)
            #expect(
                try await server.sendWebhook(event(Date().addingTimeInterval(-40)), secret: "whsec_forged").status
                    == 401)
            #expect(try await server.sendWebhook(#"{"event_id": "evt_x"}"#).status == 400)

            let metrics = try await server.request(.GET, "/metrics", key: nil)
            let text = metrics.text
            #expect(text.contains("# HELP payment_webhook_delivery_lag_seconds "))
            #expect(text.contains("# TYPE payment_webhook_delivery_lag_seconds histogram"))
            #expect(Self.value("payment_webhook_delivery_lag_seconds_count", in: text) == 2)
            let sum = try #require(Self.value("payment_webhook_delivery_lag_seconds_sum", in: text))
            #expect(sum >= 40 && sum < 45, "the early event adds 0, the late one about 40 s: \(sum)")
            #expect(
                Self.value(#"payment_webhook_delivery_lag_seconds_bucket{le="0.001"}"#, in: text) == 1, "clamped at 0")
            #expect(Self.value(#"payment_webhook_delivery_lag_seconds_bucket{le="30"}"#, in: text) == 1)
            #expect(Self.value(#"payment_webhook_delivery_lag_seconds_bucket{le="60"}"#, in: text) == 2)
            try PromtoolCheck.metrics(text)
        }
    }

    /// The value of the sample line that starts with `series` followed by a space.
    static func value(_ series: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }
            .flatMap { Double($0.dropFirst(series.count + 1).split(separator: " ").first ?? "") }
    }
}

/// Runs `promtool check metrics` (Debian's prometheus package, installed by scripts/test.sh) on an exposition.
enum PromtoolCheck {
    static func metrics(_ text: String) throws {
        guard
            let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(
                where: FileManager.default.isExecutableFile(atPath:))
        else {
            Issue.record("promtool is not installed: run the suite with scripts/test.sh")
            return
        }
        let input = Pipe()
        let output = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // The agreed metric name `payment_retry_count` is a gauge, which promtool's lint dislikes for its `_count` suffix;
        // the contract wins, and every other finding fails the test.
        let findings = report.split(separator: "\n").filter {
            !$0.isEmpty && !$0.hasPrefix("payment_retry_count non-histogram")
        }
        #expect(findings.isEmpty, "promtool: \(findings)")
    }
}
