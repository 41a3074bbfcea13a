import Foundation
import MetricsTestKit
import PaymentsCore
import PaymentsStorage
import TestSupport
import Testing

/// Reconciliation against the standalone sandbox over loopback: the bank's record wins whatever we missed.
@Suite("Reconciliation: the bank's record wins")
struct ReconciliationTests {
    /// Runs every 200 ms, asks about payments unchanged for 300 ms, watches completed ones for a minute.
    static func options() -> TestServer.Options {
        var options = TestServer.Options()
        options.reconciler = .init(
            interval: .milliseconds(200), stuckAfter: .milliseconds(300), returnWindow: .seconds(60),
            maxCallsPerSecond: 200)
        return options
    }

    @Test("Every webhook dropped, a late return after completion: the settlement report finds both")
    func reportFindsDroppedWebhooksAndLateReturns() async throws {
        var options = Self.options()
        options.sandbox.faults.dropWebhookRate = 1
        options.sandbox.faults.lateReturnRate = 1
        options.sandbox.faults.lateReturnAfterMs = 500
        try await TestServer.with(options) { server in
            let id = try #require(try await server.createPayment(clientRef: "LATE-1").json.string("payment_id"))
            let payment = try await server.waitForStatus(id, "returned", timeout: .seconds(15))
            #expect(payment.string("status") == "returned")
            #expect(payment.string("return_code")?.hasPrefix("R") == true)
            let sources = payment.history.map { "\($0["status"] ?? "")/\($0["source"] ?? "")" }
            #expect(sources.contains("completed/reconciliation"), "\(sources)")
            #expect(sources.last == "returned/reconciliation", "\(sources)")
            let stats = try await server.sandboxStats()
            #expect(stats["webhooks_dropped"] as? Int == 3)
            #expect(stats["late_returns"] as? Int == 1)
            let mismatches = try server.metrics.expectCounter(
                "reconciliation_mismatches_total", [("kind", "status")]
            ).totalValue
            #expect(mismatches >= 2)
        }
    }

    @Test(
        "We hold it failed, the bank paid it: corrected by its webhook, or by the report when the webhook is lost",
        arguments: [false, true])
    func bankRecordCorrectsOurFailure(webhookLost: Bool) async throws {
        var options = Self.options()
        options.sandbox.settlementDelay = .milliseconds(1500)
        options.sandbox.faults.dropWebhookRate = webhookLost ? 1 : 0
        try await TestServer.with(options) { server in
            let id = try #require(try await server.createPayment(clientRef: "CORR-1").json.string("payment_id"))
            _ = try await server.waitForStatus(id, "processing")
            // What the earlier release did when its retries ran out while the bank in fact had the payment.
            let store = try SQLitePaymentStore(path: server.databasePath, ring: TestClients.dataKeys)
            let uuid = try #require(UUID(uuidString: id))
            let failed = PaymentEvent(
                status: .failed, source: .bank, occurredAt: Date(), reason: "gave up after the last retry")
            #expect(try await store.apply(failed, to: uuid, now: Date())?.payment.status == .failed)

            let payment = try await server.waitForStatus(id, "completed", timeout: .seconds(15))
            #expect(payment.string("status") == "completed")
            #expect(payment["failure_reason"] is NSNull || payment["failure_reason"] == nil)
            let correction = try #require(payment.history.last)
            #expect(correction["corrected_from"] as? String == "failed")
            #expect(correction["source"] as? String == (webhookLost ? "reconciliation" : "webhook"))
            #expect(payment.history.dropLast().allSatisfy { $0["corrected_from"] is NSNull })
            let corrections = try server.metrics.expectCounter(
                "payment_status_corrections_total", [("from", "failed"), ("to", "completed")]
            ).totalValue
            #expect(corrections == 1)
            #expect(
                server.logs.lines.contains {
                    $0.contains("Payment status corrected by the bank's record: failed to completed")
                        && $0.contains(#""level":"warning""#) && $0.contains(id)
                })
        }
    }

    @Test("Retries spent and the bank confirms it does not have the payment: failed, saying so")
    func failedOnlyWhenTheBankConfirms() async throws {
        var options = Self.options()
        options.sandbox.faults.errorRate = 1
        options.worker.submitRetry.window = .seconds(1)
        try await TestServer.with(options) { server in
            let id = try #require(try await server.createPayment(clientRef: "GONE-1").json.string("payment_id"))
            let payment = try await server.waitForStatus(id, "failed", timeout: .seconds(15))
            #expect(payment.string("failure_reason")?.contains("the bank does not have the payment") == true)
            #expect(try await server.sandboxStats()["payments"] as? Int == 0)
        }
    }

    @Test(
        "The last attempt unanswered and the bank unreachable: the payment waits for reconciliation, visibly, then follows the bank"
    )
    func ambiguousSubmissionWaitsForReconciliation() async throws {
        var options = Self.options()
        // Every call outlives our timeout: the bank books the payment all the same, we never hear its answer.
        options.sandbox.faults.latencyMs = 1500
        options.bankRequestTimeout = .milliseconds(300)
        options.bankAuth = .apiKey("sandbox-api-key")  // a token request would time out before any submission
        options.sandbox.faults.dropWebhookRate = 1  // and the bank's webhooks never tell us either
        options.worker.submitRetry.window = .seconds(2)
        options.reconciler.stuckAfter = .seconds(1)
        try await TestServer.with(options) { server in
            let id = try #require(try await server.createPayment(clientRef: "AMB-1").json.string("payment_id"))
            let waiting = await eventually(timeout: .seconds(20)) {
                (try? server.metrics.expectGauge("payment_unreconciled", [("reason", "unconfirmed_submission")]))?
                    .lastValue == 1
            }
            #expect(waiting)
            #expect(try await server.request(.GET, "/v1/payments/\(id)").json.string("status") == "initiated")
            #expect(server.logs.lines.contains { $0.contains("Job handed to reconciliation") && $0.contains(id) })

            try await server.setSandboxFaults(#"{"latency_ms": 0}"#)
            let payment = try await server.waitForStatus(id, "completed", timeout: .seconds(20))
            #expect(payment.history.contains { $0["source"] as? String == "reconciliation" })
            #expect(payment.history.allSatisfy { $0["corrected_from"] is NSNull })
            let stats = try await server.sandboxStats()
            #expect(stats["payments"] as? Int == 1, "\(stats)")
            #expect(stats["duplicate_submissions"] as? Int == 0)
        }
    }

    @Test(
        "An initiated payment whose submission job is gone: the bank is asked, and it fails once the bank says it never had it"
    )
    func orphanedInitiatedPayment() async throws {
        let path = TestServer.temporaryDatabasePath()
        let store = try SQLitePaymentStore(path: path, ring: TestClients.dataKeys)
        try await store.migrate()
        let new = PaymentStoreContractTests.newPayment(at: Date().addingTimeInterval(-60))
        guard case .created = try await store.create(new) else { throw ContractFailure("expected .created") }
        let job = try #require(try await store.claimJob(kinds: [.submit], now: Date(), lease: .seconds(30)))
        _ = try await store.finish(job, result: .deadLettered("lost in a deploy"), event: nil, now: Date())

        var options = Self.options()
        options.databasePath = path
        try await TestServer.with(options) { server in
            let payment = try await server.waitForStatus(new.id.lowercased, "failed", timeout: .seconds(15))
            #expect(payment.string("failure_reason")?.contains("does not have the payment") == true)
            #expect(payment.history.last?["source"] as? String == "reconciliation")
            let missing = try server.metrics.expectCounter(
                "reconciliation_mismatches_total", [("kind", "missing_at_bank")]
            ).totalValue
            #expect(missing == 1)
        }
    }
}
