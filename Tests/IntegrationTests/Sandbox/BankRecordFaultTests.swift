import BankSandbox
import Foundation
import Testing

/// The faults that make the bank's record and what it told us differ: dropped webhooks, late returns, ambiguous
/// accepts; and the settlement report that lets a client find out.
struct BankRecordFaultTests {
    @Test func dropWebhookRateOneChangesTheStatusButSendsNothing() async throws {
        try await SandboxHarness.withWebhookReceiver { url, inbox in
            let configuration = SandboxHarness.configuration(
                faults: SandboxFaults(dropWebhookRate: 1), webhookURL: url)
            try await SandboxHarness.withSandbox(configuration) { _, client in
                #expect(try await client.submitPayment("pay_d1", clientRef: "INV-D1").status == 201)
                let completed = try await SandboxHarness.eventually {
                    try await client.paymentStatus("pay_d1").json()["status"] as? String == "completed" ? true : nil
                }
                #expect(completed == true)
                try await Task.sleep(for: .milliseconds(200))
                #expect(await inbox.deliveries(for: "pay_d1").isEmpty)
                let stats = try await client.stats()
                #expect(stats.webhooksDropped == 2)
                #expect(stats.webhooksSent == 0)
            }
        }
    }

    @Test func lateReturnRateOneReturnsACompletedPaymentLaterWithItsOwnWebhook() async throws {
        try await SandboxHarness.withWebhookReceiver { url, inbox in
            let configuration = SandboxHarness.configuration(
                faults: SandboxFaults(lateReturnRate: 1, lateReturnAfterMs: 300), webhookURL: url)
            try await SandboxHarness.withSandbox(configuration) { _, client in
                _ = try await client.submitPayment("pay_lr1", clientRef: "INV-LR1")
                let completed = try await SandboxHarness.eventually {
                    try await client.paymentStatus("pay_lr1").json()["status"] as? String == "completed" ? true : nil
                }
                #expect(completed == true)
                let deliveries = try await WebhookDeliveryTests.waitForDeliveries(3, of: "pay_lr1", in: inbox)
                #expect(deliveries.map(\.status) == ["processing", "completed", "returned"])
                let returned = try #require(deliveries.last?.event)
                #expect(returned.returnCode?.hasPrefix("R") == true)
                let status = try await client.paymentStatus("pay_lr1").json()
                #expect(status["status"] as? String == "returned")
                #expect(status["return_code"] as? String == returned.returnCode)
                #expect(try await client.stats().lateReturns == 1)
            }
        }
    }

    @Test func ambiguousAcceptRateOneRecordsThePaymentThenAnswers500() async throws {
        let configuration = SandboxHarness.configuration(faults: SandboxFaults(ambiguousAcceptRate: 1))
        try await SandboxHarness.withSandbox(configuration) { _, client in
            let first = try await client.submitPayment("pay_a1", clientRef: "INV-A1")
            #expect(first.status == 500)
            // The bank has it: the status query says so, and a retry with the same key gets the original answer.
            let status = try await client.paymentStatus("pay_a1")
            #expect(status.status == 200)
            #expect(["pending", "processing", "completed"].contains(try status.json()["status"] as? String ?? ""))
            let retry = try await client.submitPayment("pay_a1", clientRef: "INV-A1")
            #expect(retry.status == 201)
            #expect(try retry.json()["bank_ref"] as? String == status.json()["bank_ref"] as? String)
            let stats = try await client.stats()
            #expect(stats.ambiguousAccepts == 1)
            #expect(stats.payments == 1)
            #expect(stats.idempotentReplays == 1)
            #expect(stats.duplicateSubmissions == 0)
        }
    }

    @Test func settlementReportListsEveryPaymentPagedInUpdateOrder() async throws {
        let configuration = SandboxHarness.configuration(faults: SandboxFaults(rejectRate: 0))
        try await SandboxHarness.withSandbox(configuration) { _, client in
            for index in 0..<5 { _ = try await client.submitPayment("pay_s\(index)", clientRef: "INV-S\(index)") }
            try await Task.sleep(for: .milliseconds(150))  // every payment settles (50 ms + 50 ms)

            var seen: [[String: Any]] = []
            var cursor: String?
            var pages = 0
            repeat {
                let query = "?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await client.send(
                    .GET, "/v1/reports/settlements" + query, headers: [("X-API-Key", SandboxClient.apiKey)])
                #expect(page.status == 200)
                let json = try page.json()
                let data = try #require(json["data"] as? [[String: Any]])
                #expect(data.count <= 2)
                seen += data
                cursor = json["next_cursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(Set(seen.compactMap { $0["payment_id"] as? String }) == Set((0..<5).map { "pay_s\($0)" }))
            for entry in seen {
                #expect(entry["status"] as? String == "completed")
                #expect((entry["bank_ref"] as? String)?.hasPrefix("BNK-") == true)
                #expect(entry.keys.contains("return_code"))
            }
            let times = seen.compactMap { $0["updated_at"] as? String }
            #expect(times == times.sorted())

            // `since` after every change: nothing; a bad cursor or no credential: refused.
            let future = try await client.send(
                .GET, "/v1/reports/settlements?since=2999-01-01T00:00:00Z",
                headers: [("X-API-Key", SandboxClient.apiKey)])
            #expect((try future.json()["data"] as? [Any])?.isEmpty == true)
            let badCursor = try await client.send(
                .GET, "/v1/reports/settlements?cursor=nonsense", headers: [("X-API-Key", SandboxClient.apiKey)])
            #expect(badCursor.status == 400)
            #expect(try await client.send(.GET, "/v1/reports/settlements").status == 401)
        }
    }
}
