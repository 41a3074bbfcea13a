import Foundation
import PaymentsCore
import Testing

@Suite("Webhook receiver: signatures, dedupe and lifecycle rules")
struct WebhookReceiverTests {
    /// A server whose sandbox never sends webhooks of its own, so the test controls every event.
    static var quietSandbox: TestServer.Options {
        var options = TestServer.Options()
        options.sandbox.processingDelay = .seconds(3600)
        options.sandbox.settlementDelay = .seconds(3600)
        return options
    }

    private func processingPayment(_ server: TestServer) async throws -> String {
        let created = try await server.createPayment()
        let id = try #require(created.json.string("payment_id"))
        let payment = try await server.waitForStatus(id, "processing")
        #expect(payment.string("status") == "processing")
        return id
    }

    @Test("completed, then returned after completed, each queue an ERP update; a duplicate event_id changes nothing")
    func completedThenReturned() async throws {
        try await TestServer.with(Self.quietSandbox) { server in
            let id = try await processingPayment(server)
            let completed = PaymentBodies.webhook(paymentID: id, status: "completed", eventID: "evt_c1")
            let first = try await server.sendWebhook(completed)
            #expect(first.status == 200)
            #expect(first.json["ok"] as? Bool == true)
            let repeated = try await server.sendWebhook(completed)
            #expect(repeated.status == 200)
            var payment = try await server.waitForStatus(id, "completed")
            #expect(payment.historyStatuses.filter { $0 == "completed" }.count == 1)

            let returned = try await server.sendWebhook(
                PaymentBodies.webhook(paymentID: id, status: "returned", eventID: "evt_r1", returnCode: "R01"))
            #expect(returned.status == 200)
            payment = try await server.waitForStatus(id, "returned")
            #expect(payment.string("return_code") == "R01")
            #expect(payment.string("failure_reason") == "Insufficient funds")
            #expect(payment.history.last?["detail"] as? String == "R01: Insufficient funds")
            let inspector = DatabaseInspector(path: server.databasePath)
            #expect(try await inspector.count("webhook_events") == 2)
            #expect(try await inspector.count("jobs", where: "kind = 'erp_update'") == 2)
        }
    }

    @Test("An event that would move a payment backwards is kept in history, not applied")
    func backwardsEventIsKeptNotApplied() async throws {
        try await TestServer.with(Self.quietSandbox) { server in
            let id = try await processingPayment(server)
            _ = try await server.sendWebhook(PaymentBodies.webhook(paymentID: id, status: "completed"))
            _ = try await server.waitForStatus(id, "completed")
            let late = try await server.sendWebhook(PaymentBodies.webhook(paymentID: id, status: "processing"))
            #expect(late.status == 200)
            let failedAfter = try await server.sendWebhook(PaymentBodies.webhook(paymentID: id, status: "failed"))
            #expect(failedAfter.status == 200)
            let payment = try await server.request(.GET, "/v1/payments/\(id)").json
            #expect(payment.string("status") == "completed")
            let notApplied = payment.history.filter { $0["applied"] as? Bool == false }
            #expect(notApplied.map { $0["status"] as? String } == ["processing", "failed"])
            #expect(notApplied.allSatisfy { ($0["detail"] as? String)?.hasPrefix("not applied") == true })
        }
    }

    @Test("A webhook may overtake the bank's answer: initiated goes straight to completed")
    func webhookOvertakesBankAnswer() async throws {
        var options = Self.quietSandbox
        options.sandbox.faults.errorRate = 1
        try await TestServer.with(options) { server in
            let created = try await server.createPayment()
            let id = try #require(created.json.string("payment_id"))
            let response = try await server.sendWebhook(
                PaymentBodies.webhook(paymentID: id, status: "completed", bankRef: "BNK-EARLY"))
            #expect(response.status == 200)
            try await server.setSandboxFaults(#"{"error_rate": 0}"#)
            let payment = try await server.waitForStatus(id, "completed")
            #expect(payment.string("bank_ref") == "BNK-EARLY")
            // The submit job ends once it sees the payment settled. (An attempt already in flight when the webhook
            // arrived may still reach the bank, which deduplicates it: at most one submission.)
            let inspector = DatabaseInspector(path: server.databasePath)
            let deadline = ContinuousClock.now + .seconds(10)
            while try await inspector.count("jobs", where: "kind = 'submit' AND state IN ('queued', 'running')") > 0,
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await inspector.count("jobs", where: "kind = 'submit' AND state IN ('queued', 'running')") == 0)
            #expect((try await server.sandboxStats()["payments"] as? Int ?? 0) <= 1)
            #expect(try await server.request(.GET, "/v1/payments/\(id)").json.string("status") == "completed")
        }
    }

    struct BadSignature: Sendable, CustomTestStringConvertible {
        let name: String
        let header: @Sendable (String) -> String?
        var testDescription: String { name }
    }

    static let badSignatures: [BadSignature] = [
        BadSignature(name: "missing") { _ in nil },
        BadSignature(name: "malformed") { _ in "sha256=abc" },
        BadSignature(name: "forged with another secret") { body in
            WebhookSigning.header(body, secret: "whsec_attacker", at: Date())
        },
        BadSignature(name: "stale (400 s old)") { body in
            WebhookSigning.header(body, secret: TestClients.webhookSecret, at: Date().addingTimeInterval(-400))
        },
        BadSignature(name: "from the future (400 s ahead)") { body in
            WebhookSigning.header(body, secret: TestClients.webhookSecret, at: Date().addingTimeInterval(400))
        },
        BadSignature(name: "signature over a different body") { body in
            WebhookSigning.header(body + " ", secret: TestClients.webhookSecret, at: Date())
        },
    ]

    @Test("A missing, malformed, forged or stale signature is 401 and nothing is recorded", arguments: badSignatures)
    func badSignatureIsRejected(_ bad: BadSignature) async throws {
        try await TestServer.with(Self.quietSandbox) { server in
            let id = try await processingPayment(server)
            let body = PaymentBodies.webhook(paymentID: id, status: "completed")
            let header = bad.header(body)
            let result = try await server.request(
                .POST, "/webhook/payments", body: body, key: nil, headers: header.map { [("Bank-Signature", $0)] } ?? []
            )
            #expect(result.status == 401)
            #expect(result.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(!result.text.contains(TestClients.webhookSecret))
            let payment = try await server.request(.GET, "/v1/payments/\(id)").json
            #expect(payment.string("status") == "processing")
            #expect(try await DatabaseInspector(path: server.databasePath).count("webhook_events") == 0)
        }
    }

    @Test("During secret rotation a header with several v1 signatures is accepted if one matches")
    func rotationAcceptsAnyMatchingSignature() async throws {
        try await TestServer.with(Self.quietSandbox) { server in
            let id = try await processingPayment(server)
            let body = PaymentBodies.webhook(paymentID: id, status: "completed")
            let good = WebhookSigning.header(body, secret: TestClients.webhookSecret, at: Date())
            let old = WebhookSigning.header(body, secret: "whsec_retired", at: Date())
            let v1Old = old.split(separator: ",")[1]
            let result = try await server.sendWebhook(
                body, signatureHeader: "\(good.split(separator: ",")[0]),\(v1Old),\(good.split(separator: ",")[1])")
            #expect(result.status == 200)
        }
    }

    @Test("A valid signature over a malformed body is 400 and nothing is recorded")
    func malformedBodyIs400() async throws {
        try await TestServer.with(Self.quietSandbox) { server in
            for body in [
                "{not json", #"{"event_id": "evt_1"}"#,
                #"{"event_id": "e", "payment_id": "x", "status": "done", "occurred_at": "yesterday"}"#,
            ] {
                let result = try await server.sendWebhook(body)
                #expect(result.status == 400, "\(body)")
                #expect(result.headers.first(name: "Content-Type") == "application/problem+json")
            }
            #expect(try await DatabaseInspector(path: server.databasePath).count("webhook_events") == 0)
        }
    }

    @Test("An event for an unknown payment is acknowledged and kept for investigation")
    func unknownPaymentIsAcknowledged() async throws {
        try await TestServer.with(Self.quietSandbox) { server in
            let result = try await server.sendWebhook(
                PaymentBodies.webhook(paymentID: UUID().uuidString.lowercased(), status: "completed"))
            #expect(result.status == 200)
            #expect(
                try await DatabaseInspector(path: server.databasePath).count(
                    "webhook_events", where: "known_payment = 0") == 1)
        }
    }
}

enum WebhookSigning {
    static func header(_ body: String, secret: String, at date: Date) -> String {
        WebhookSignature(secrets: [secret]).header(body: Array(body.utf8), timestamp: Int64(date.timeIntervalSince1970))
    }
}
