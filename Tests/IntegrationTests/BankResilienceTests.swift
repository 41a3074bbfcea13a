import BankClient
import BankSandbox
import Foundation
import Logging
import MetricsTestKit
import PaymentsCore
import TestSupport
import Testing

@Suite("Bank client resilience against the sandbox's faults")
struct BankResilienceTests {
    @Test(
        "The bank down for a while, then back: the throttle marks it dead and open again, retry series come and go, every payment completes"
    )
    func bankDownThenBack() async throws {
        var options = TestServer.Options()
        options.sandbox.faults.errorRate = 1
        try await TestServer.with(options) { server in
            var ids: [String] = []
            for index in 0..<6 {
                ids.append(
                    try #require(try await server.createPayment(clientRef: "DOWN-\(index)").json.string("payment_id")))
            }
            // After enough unanswered calls the bank counts as dead; the payments wait in the queue, counted as retrying.
            let dead = await eventually { (try? server.metrics.expectGauge("bank_circuit_state").lastValue) == 2 }
            #expect(dead)
            #expect(server.logs.lines.contains { $0.contains("Bank is not answering") })
            let retrying = await eventually { !server.metrics.recorders(label: "payment_retry_count").isEmpty }
            #expect(retrying)
            for id in ids {
                #expect(try await server.request(.GET, "/v1/payments/\(id)").json.string("status") == "initiated")
            }

            try await server.setSandboxFaults(#"{"error_rate": 0}"#)
            for id in ids { #expect(try await server.waitForStatus(id, "completed").string("status") == "completed") }
            let open = await eventually { (try? server.metrics.expectGauge("bank_circuit_state").lastValue) == 0 }
            #expect(open)
            #expect(server.logs.lines.contains { $0.contains("Bank healthy again") })
            #expect(server.metrics.recorders(label: "payment_retry_count").isEmpty)
            let stats = try await server.sandboxStats()
            #expect(stats["payments"] as? Int == 6)
            #expect(stats["duplicate_submissions"] as? Int == 0)
        }
    }

    @Test("Half the submissions answered 5xx and a tenth hanging: 60 payments settle, none submitted twice")
    func flakyBank() async throws {
        var options = TestServer.Options()
        options.sandbox.faults.errorRate = 0.5
        options.sandbox.faults.hangRate = 0.1
        options.bankRequestTimeout = .milliseconds(500)
        try await TestServer.with(options) { server in
            var ids: [String] = []
            // 60 payments make about 130 submissions: the chance that none hangs is 0.9^130, below 1 in a million.
            for index in 0..<60 {
                ids.append(
                    try #require(try await server.createPayment(clientRef: "FLAKY-\(index)").json.string("payment_id")))
            }
            for id in ids {
                let payment = try await server.waitForPayment(id, timeout: .seconds(30)) {
                    ["completed", "returned", "failed"].contains($0.string("status") ?? "")
                }
                #expect(payment.string("status") == "completed", "\(id)")
            }
            let stats = try await server.sandboxStats()
            #expect(stats["payments"] as? Int == 60)
            #expect(stats["duplicate_submissions"] as? Int == 0)
            let timeouts = server.metrics.recorders(label: "bank_request_duration_seconds").filter {
                $0.dimensions.contains { $0 == ("outcome", "timeout") }
            }
            #expect(!timeouts.isEmpty)
        }
    }

    @Test("A dead bank gets about one call a second from an instance, however many payments wait")
    func deadBankIsProbedOnceASecond() async throws {
        var options = TestServer.Options()
        options.throttle = .bank
        options.sandbox.faults.errorRate = 1
        try await TestServer.with(options) { server in
            for index in 0..<20 { _ = try await server.createPayment(clientRef: "DEAD-\(index)") }
            let dead = await eventually { (try? server.metrics.expectGauge("bank_circuit_state").lastValue) == 2 }
            #expect(dead)
            func calls() -> Int {
                server.metrics.recorders(label: "bank_request_duration_seconds").reduce(0) { $0 + $1.values.count }
            }
            let before = calls()
            try await Task.sleep(for: .seconds(5))
            let made = calls() - before
            #expect((3...7).contains(made), "\(made) bank calls in 5 s")
            #expect(try await server.sandboxStats()["payments"] as? Int == 0)
        }
    }

    @Test("A 429 storm: retries wait at least what Retry-After said")
    func rateLimitStorm() async throws {
        var options = TestServer.Options()
        options.sandbox.faults.rateLimitRate = 1
        try await TestServer.with(options) { server in
            let id = try #require(try await server.createPayment(clientRef: "RATE-1").json.string("payment_id"))
            try await Task.sleep(for: .milliseconds(2500))
            // The worker's own backoff is 20-200 ms here; only Retry-After: 1 can space the attempts a second apart.
            let attempts = try await server.request(.GET, "/v1/payments/\(id)").json["attempts"] as? Int ?? 0
            #expect((1...3).contains(attempts), "attempts: \(attempts)")
            let delays = server.logs.lines.filter { $0.contains("Job failed; retrying") && $0.contains("rate_limited") }
                .compactMap { line -> Int? in
                    guard let range = line.range(of: #""retry_in_ms":"(\d+)""#, options: .regularExpression) else {
                        return nil
                    }
                    return Int(line[range].filter(\.isNumber))
                }
            #expect(!delays.isEmpty)
            #expect(delays.allSatisfy { $0 >= 1000 }, "\(delays)")
            try await server.setSandboxFaults(#"{"rate_limit_rate": 0}"#)
            #expect(try await server.waitForStatus(id, "completed").string("status") == "completed")
        }
    }

    @Test("A lost webhook: reconciliation asks the bank and records the final status")
    func lostWebhookIsReconciled() async throws {
        var options = TestServer.Options()
        options.reconciler = .init(interval: .milliseconds(200), stuckAfter: .milliseconds(300))
        try await TestServer.with(options) { server in
            // Webhooks go nowhere: the sandbox settles the payment but we never hear of it.
            try await server.setSandboxFaults(#"{"webhook_delay_ms": 0}"#)
            let dead = "http://127.0.0.1:\(freePort())/webhook/payments"
            try await server.redirectSandboxWebhooks(to: dead)
            let id = try #require(try await server.createPayment(clientRef: "LOST-1").json.string("payment_id"))
            let payment = try await server.waitForStatus(id, "completed", timeout: .seconds(15))
            #expect(payment.string("status") == "completed")
            #expect(payment.history.last?["source"] as? String == "reconciliation")
        }
    }

    @Test("API-key authentication to the bank works end to end")
    func apiKeyAuthentication() async throws {
        var options = TestServer.Options()
        options.bankAuth = .apiKey("sandbox-api-key")
        try await TestServer.with(options) { server in
            let id = try #require(try await server.createPayment().json.string("payment_id"))
            #expect(try await server.waitForStatus(id, "completed").string("status") == "completed")
            #expect(try await server.sandboxStats()["tokens_issued"] as? Int == 0)
        }
    }

    @Test("A wrong client secret or API key is refused with a clear error that does not contain it")
    func wrongCredentialsAreRefused() async throws {
        for auth in [TestServer.Options.BankAuth.oauth2(secret: "wrong-secret-value"), .apiKey("wrong-api-key-value")] {
            var options = TestServer.Options()
            options.bankAuth = auth
            try await TestServer.with(options) { server in
                let id = try #require(try await server.createPayment().json.string("payment_id"))
                let payment = try await server.waitForPayment(id) { ($0["attempts"] as? Int ?? 0) >= 2 }
                #expect(payment.string("status") == "initiated")
                #expect(try await server.sandboxStats()["payments"] as? Int == 0)
                let refusals = server.logs.lines.filter { $0.contains("bank call failed: unauthorized") }
                #expect(!refusals.isEmpty)
                #expect(
                    !server.logs.lines.contains {
                        $0.contains("wrong-secret-value") || $0.contains("wrong-api-key-value")
                    })
            }
        }
    }

    @Test("OAuth2 tokens are cached, fetched once for many concurrent requests, and refreshed before they expire")
    func tokenRefresh() async throws {
        var options = TestServer.Options()
        options.sandbox.faults.tokenTTLSeconds = 2
        // The client's clock, moved on instead of waiting for the token to age.
        let clock = SandboxClock()
        try await TestServer.with(options) { server in
            let base = try #require(server.sandboxURL)
            let bank = HTTPBankClient(
                configuration: BankClientConfiguration(
                    baseURL: base,
                    authentication: .oauth2(
                        tokenURL: base + "/oauth/token", clientID: "sandbox-client", clientSecret: "sandbox-secret")
                ),
                httpClient: TestHTTP.load, logger: Logger(label: "test"), now: { clock.now }
            )
            func submission(_ index: Int) -> BankSubmission {
                BankSubmission(
                    paymentID: UUID(), clientRef: "TOK-\(index)", amount: Money(minorUnits: 100, currency: .usd),
                    recipient: .zelle(name: "A", token: .email("a@b.co")), traceParent: nil
                )
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        guard case .accepted = try await bank.submit(submission(index)) else {
                            throw ContractFailure("not accepted")
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await server.sandboxStats()["tokens_issued"] as? Int == 1)
            // With a 2 s lifetime the token is refreshed half way; 2.2 s later a new one must be in use.
            clock.advance(by: .milliseconds(2200))
            guard case .accepted = try await bank.submit(submission(99)) else { throw ContractFailure("not accepted") }
            #expect(try await server.sandboxStats()["tokens_issued"] as? Int == 2)
        }
    }
}
