import Foundation
import Testing

/// The bank's record wins, end to end: `payments serve` and `payments bank-sandbox` as separate processes, the bank
/// dropping webhooks, returning completed payments late and recording payments it then answers with a 500. After the
/// reconciliation windows every payment's status is the bank's.
@Suite("The bank's record wins: scenarios over real processes", .serialized)
struct BankRecordScenarioTests {
    static let faults = [
        "--drop-webhook-rate", "0.3", "--late-return-rate", "0.2", "--late-return-after-ms", "3000",
        "--ambiguous-accept-rate", "0.1",
    ]
    /// Small windows, so that the scenario settles in seconds.
    static let reconciliation = [
        "PAYMENTS_RECONCILE_INTERVAL_SECONDS": "1", "PAYMENTS_RECONCILE_STUCK_AFTER_SECONDS": "2",
        "PAYMENTS_RETURN_WINDOW_SECONDS": "60", "PAYMENTS_RECONCILE_MAX_CALLS_PER_SECOND": "200",
    ]

    @Test(
        "PostgreSQL: 200 payments through dropped webhooks, late returns and ambiguous accepts end as the bank has them"
    )
    func postgres() async throws {
        try await scenario(databaseURL: try await PostgresTestDatabase.create(), count: 200)
    }

    @Test("SQLite: 60 payments through the same faults end as the bank has them")
    func sqlite() async throws {
        try await scenario(databaseURL: "sqlite:" + TestServer.temporaryDatabasePath(), count: 60)
    }

    private func scenario(databaseURL: String, count: Int) async throws {
        let cluster = try ProcessCluster(
            databaseURL: databaseURL, serverCount: 1, overrides: [0: Self.reconciliation],
            sandboxArguments: Self.faults)
        defer { cluster.stopAll() }
        try await cluster.start()
        let outcome = try await cluster.drive(count: count) { _ in }
        let ids = Array(outcome.paymentIDs.values)
        #expect(ids.count == count)

        // Until every payment is final at the bank, its late returns included (3 s after completion; nothing else is
        // returned here), and ours says the same.
        // Late returns are planned as the bank accepts each payment: count them once it has every one.
        var bankStats: [String: any Sendable] = [:]
        for _ in 0..<600 {
            bankStats = try await cluster.bank("/sandbox/stats").json
            if bankStats["payments"] as? Int == count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let lateReturns = bankStats["late_returns"] as? Int ?? 0
        var disagreements: [String] = []
        let deadline = ContinuousClock.now + .seconds(120)
        repeat {
            disagreements = []
            var returnedAtBank = 0
            for id in ids {
                let ours = try await cluster.get("/v1/payments/\(id)", server: 0).json.string("status")
                let theirs = try await cluster.bank("/v1/payments/\(id)").json.string("status")
                let bank = Self.ourTerms(theirs)
                if bank == "returned" { returnedAtBank += 1 }
                if ours != bank || !["completed", "returned", "failed"].contains(bank ?? "") {
                    disagreements.append("\(id): ours \(ours ?? "?"), bank \(theirs ?? "?")")
                }
            }
            if returnedAtBank < lateReturns { disagreements.append("\(lateReturns - returnedAtBank) returns to come") }
            if disagreements.isEmpty { break }
            try await Task.sleep(for: .seconds(1))
        } while ContinuousClock.now < deadline
        #expect(disagreements.isEmpty, "\(disagreements.count) differ, first: \(disagreements.prefix(5))")

        let stats = try await cluster.bank("/sandbox/stats").json
        #expect(stats["duplicate_submissions"] as? Int == 0)
        #expect(stats["payments"] as? Int == count)
        // The faults fired (each would fail to with odds below 1 in 400).
        for key in ["webhooks_dropped", "late_returns", "ambiguous_accepts"] {
            #expect((stats[key] as? Int ?? 0) > 0, "\(key)")
        }

        // Mismatches and runs are counted; every correction in a history is counted once.
        let metrics = try await cluster.get("/metrics", server: 0).text
        #expect(Self.sum(metrics, "reconciliation_mismatches_total", label: #"kind="status""#) > 0)
        #expect(Self.sum(metrics, "reconciliation_runs_total", label: #"outcome="completed""#) > 0)
        var corrected = 0
        var reconciled = 0
        for id in ids {
            let history = try await cluster.get("/v1/payments/\(id)", server: 0).json.history
            corrected += history.filter { $0["corrected_from"] as? String != nil }.count
            reconciled += history.filter { $0["source"] as? String == "reconciliation" }.count
        }
        #expect(Self.sum(metrics, "payment_status_corrections_total") == Double(corrected))
        #expect(reconciled > 0, "the dropped webhooks were made good by reconciliation")
    }

    /// The sandbox's status in our terms.
    static func ourTerms(_ status: String?) -> String? {
        switch status {
        case "pending", "processing": "processing"
        case "rejected": "failed"
        default: status
        }
    }

    /// The sum of a metric's samples in Prometheus text, over the series whose labels contain `label`.
    static func sum(_ text: String, _ name: String, label: String? = nil) -> Double {
        text.split(separator: "\n").reduce(0) { total, line in
            guard line.hasPrefix(name + "{") || line.hasPrefix(name + " ") else { return total }
            if let label, !line.contains(label) { return total }
            return total + (line.split(separator: " ").last.flatMap { Double($0) } ?? 0)
        }
    }
}
