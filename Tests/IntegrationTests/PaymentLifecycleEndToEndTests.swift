import Foundation
import Testing

@Suite("Payment lifecycle end to end over loopback HTTP")
struct PaymentLifecycleEndToEndTests {
    @Test("On the embedded default a payment goes initiated → processing → completed, with sources in its history")
    func embeddedDefaultCompletesPayment() async throws {
        let options = TestServer.Options.embedded()
        try await TestServer.with(options) { server in
            let created = try await server.createPayment(clientRef: "INV-1002")
            #expect(created.status == 201)
            let id = try #require(created.json.string("payment_id"))
            #expect(created.headers.first(name: "Location") == "/v1/payments/\(id)")
            #expect(created.json.string("status") == "initiated")
            #expect(created.json.string("trace_id")?.count == 32)
            let recipient = try #require(created.json["recipient"] as? [String: any Sendable])
            #expect(recipient["account_last4"] as? String == "6789")
            #expect(recipient["account_number"] == nil)

            let payment = try await server.waitForStatus(id, "completed")
            #expect(payment.string("status") == "completed")
            #expect(payment.string("bank_ref")?.hasPrefix("BNK-") == true)
            #expect(payment["attempts"] as? Int == 1)
            let sources = payment.history.map { "\($0["status"]!)/\($0["source"]!)" }
            #expect(sources.first == "initiated/api")
            #expect(sources.contains("processing/bank") || sources.contains("processing/webhook"))
            #expect(sources.last == "completed/webhook")
        }
    }

    @Test("A standalone sandbox gets exactly one submission per payment and settles every one")
    func standaloneSandboxSettlesEveryPayment() async throws {
        try await TestServer.with { server in
            var ids: [String] = []
            for index in 0..<10 {
                let created = try await server.createPayment(clientRef: "BATCH-\(index)")
                #expect(created.status == 201)
                ids.append(try #require(created.json.string("payment_id")))
            }
            for id in ids {
                let payment = try await server.waitForStatus(id, "completed")
                #expect(payment.string("status") == "completed")
            }
            let stats = try await server.sandboxStats()
            #expect(stats["payments"] as? Int == 10)
            #expect(stats["duplicate_submissions"] as? Int == 0)
        }
    }

    @Test("A payment the bank returns ends returned with its ACH code, after completed or straight from processing")
    func returnedPaymentKeepsReturnCode() async throws {
        var options = TestServer.Options()
        options.sandbox.faults.returnRate = 1
        try await TestServer.with(options) { server in
            let created = try await server.createPayment()
            let id = try #require(created.json.string("payment_id"))
            let payment = try await server.waitForStatus(id, "returned")
            #expect(payment.string("status") == "returned")
            let code = try #require(payment.string("return_code"))
            #expect(code.hasPrefix("R"))
            #expect(payment.string("failure_reason") != nil)
            #expect(payment.historyStatuses.last == "returned")
        }
    }

    @Test("A payment the bank rejects fails with the bank's reason and is not retried")
    func rejectedPaymentFails() async throws {
        var options = TestServer.Options()
        options.sandbox.faults.rejectRate = 1
        try await TestServer.with(options) { server in
            let created = try await server.createPayment()
            let id = try #require(created.json.string("payment_id"))
            let payment = try await server.waitForStatus(id, "failed")
            #expect(payment.string("status") == "failed")
            #expect(payment.string("failure_reason") == "Account closed")
            #expect(payment["attempts"] as? Int == 1)
            #expect(payment.history.last?["source"] as? String == "bank")
        }
    }

    @Test("Bank errors are retried through the durable queue until the bank answers")
    func bankErrorsAreRetried() async throws {
        var options = TestServer.Options()
        options.sandbox.faults.errorRate = 1
        try await TestServer.with(options) { server in
            let created = try await server.createPayment()
            let id = try #require(created.json.string("payment_id"))
            let retrying = try await server.waitForPayment(id) { ($0["attempts"] as? Int ?? 0) >= 3 }
            #expect(retrying.string("status") == "initiated")
            try await server.setSandboxFaults(#"{"error_rate": 0}"#)
            let payment = try await server.waitForStatus(id, "completed")
            #expect(payment.string("status") == "completed")
            let stats = try await server.sandboxStats()
            #expect(stats["payments"] as? Int == 1)
        }
    }

    @Test("A settled payment queues an ERP update, posted to ERP_WEBHOOK_URL signed, in the event format")
    func settledPaymentNotifiesERP() async throws {
        try await ERPReceiver.with { erp in
            var options = TestServer.Options()
            options.erpWebhookURL = erp.url
            try await TestServer.with(options) { server in
                let created = try await server.createPayment(clientRef: "ERP-1")
                let id = try #require(created.json.string("payment_id"))
                _ = try await server.waitForStatus(id, "completed")
                let deadline = ContinuousClock.now + .seconds(10)
                while erp.received.isEmpty && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                let body = try #require(erp.received.first)
                #expect(body["client_id"] as? String == "acme")
                #expect(body["type"] as? String == "payment.completed")
                let payment = (body["data"] as? [String: Any])?["payment"] as? [String: Any]
                #expect(payment?["payment_id"] as? String == id)
                #expect(payment?["client_ref"] as? String == "ERP-1")
                #expect(payment?["status"] as? String == "completed")
                let post = try #require(erp.signatures.first)
                #expect(
                    IndependentSignatureCheck.signers(
                        of: post.signature, body: post.body, secrets: [options.erpWebhookSecret]) == [
                            options.erpWebhookSecret
                        ])
            }
        }
    }
}
