import BankSandbox
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing

/// Fault injection: each fault forced on (rate 1) to prove its effect, plus run-time updates.
struct FaultInjectionTests {
    @Test func rejectRateOneAnswers422AndReplaysTheRejection() async throws {
        let configuration = SandboxHarness.configuration(faults: SandboxFaults(rejectRate: 1))
        try await SandboxHarness.withSandbox(configuration) { _, client in
            let body = SandboxClient.paymentBody(paymentID: "pay_r1", clientRef: "INV-R1")
            let rejected = try await client.submitPayment(idempotencyKey: "pay_r1", body: body)
            #expect(rejected.status == 422)
            #expect(try rejected.json()["status"] as? String == "rejected")
            #expect(try rejected.json()["reason"] as? String == "Account closed")

            let replay = try await client.submitPayment(idempotencyKey: "pay_r1", body: body)
            #expect(replay.status == 422)
            #expect(replay.body == rejected.body)

            let status = try await client.paymentStatus("pay_r1")
            #expect(try status.json()["status"] as? String == "rejected")

            let stats = try await client.stats()
            #expect(stats.payments == 0)
            #expect(stats.idempotentReplays == 1)
        }
    }

    @Test func errorRateOneAnswers503AndRecordsNothing() async throws {
        let configuration = SandboxHarness.configuration(faults: SandboxFaults(errorRate: 1))
        try await SandboxHarness.withSandbox(configuration) { _, client in
            let body = SandboxClient.paymentBody(paymentID: "pay_e1", clientRef: "INV-E1")
            let response = try await client.submitPayment(idempotencyKey: "pay_e1", body: body)
            #expect(response.status == 503)
            #expect(try response.json()["error"] as? String == "unavailable")
            #expect(try await client.paymentStatus("pay_e1").status == 404)
            #expect(try await client.stats() == SandboxStats())
        }
    }

    @Test func rateLimitRateOneAnswers429WithRetryAfter() async throws {
        let configuration = SandboxHarness.configuration(faults: SandboxFaults(rateLimitRate: 1))
        try await SandboxHarness.withSandbox(configuration) { _, client in
            let response = try await client.submitPayment("pay_l1", clientRef: "INV-L1")
            #expect(response.status == 429)
            #expect(response.headers.first(name: "Retry-After") == "1")
            #expect(try await client.stats().payments == 0)
        }
    }

    @Test func latencyDelaysBankCalls() async throws {
        let configuration = SandboxHarness.configuration(faults: SandboxFaults(latencyMs: 200))
        try await SandboxHarness.withSandbox(configuration) { _, client in
            let start = ContinuousClock.now
            let response = try await client.paymentStatus("unknown")
            #expect(response.status == 404)
            #expect(ContinuousClock.now - start >= .milliseconds(200))
        }
    }

    @Test func aHangingRequestNeverAnswersUntilTheClientGivesUp() async throws {
        let configuration = SandboxHarness.configuration(faults: SandboxFaults(hangRate: 1))
        try await SandboxHarness.withSandbox(configuration) { _, client in
            await #expect(throws: (any Error).self) {
                _ = try await client.send(
                    .POST,
                    "/v1/payments",
                    headers: [("X-API-Key", SandboxClient.apiKey), ("Idempotency-Key", "pay_h1")],
                    body: SandboxClient.paymentBody(paymentID: "pay_h1", clientRef: "INV-H1"),
                    timeout: .milliseconds(300)
                )
            }
            let stats = try await client.stats()
            #expect(stats.payments == 0)
        }
    }

    @Test func gracefulShutdownEndsHangingRequestsPromptly() async throws {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let sandbox = BankSandbox(
            configuration: SandboxHarness.configuration(faults: SandboxFaults(hangRate: 1)),
            logger: SandboxHarness.logger
        ) { port in portContinuation.yield(port) }
        let group = ServiceGroup(services: [sandbox], logger: SandboxHarness.logger)

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try #require(try await SandboxHarness.firstElement(of: ports, within: .seconds(10)))
            let client = SandboxClient(baseURL: "http://127.0.0.1:\(port)")
            tasks.addTask {
                // Held by the hang fault until shutdown cuts it short.
                _ = try? await client.submitPayment("pay_h2", clientRef: "INV-H2")
            }
            try await Task.sleep(for: .milliseconds(200))

            let start = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            #expect(ContinuousClock.now - start < .seconds(5))
        }
    }

    @Test func postSandboxFaultsChangesOnlyTheGivenKeys() async throws {
        let configuration = SandboxHarness.configuration(faults: SandboxFaults(latencyMs: 5))
        try await SandboxHarness.withSandbox(configuration) { sandbox, client in
            let response = try await client.send(
                .POST,
                "/sandbox/faults",
                headers: [("Content-Type", "application/json")],
                body: #"{"error_rate": 1, "reorder_webhooks": true}"#
            )
            #expect(response.status == 200)
            let faults = try JSONDecoder().decode(SandboxFaults.self, from: response.body)
            #expect(faults == SandboxFaults(errorRate: 1, latencyMs: 5, reorderWebhooks: true))
            #expect(Set(try response.json().keys).count == 15)

            let submitted = try await client.submitPayment("pay_f1", clientRef: "INV-F1")
            #expect(submitted.status == 503)

            await sandbox.setFaults(.none)
            let current = try await client.send(.GET, "/sandbox/faults")
            #expect(try JSONDecoder().decode(SandboxFaults.self, from: current.body) == .none)
        }
    }

    @Test(arguments: [
        #"{"error_rate": 1.5}"#,
        #"{"hang_rate": -0.1}"#,
        #"{"latency_ms": "slow"}"#,
        #"{"token_ttl_seconds": 0}"#,
        #"{"reorder_webhooks": 1}"#,
        #"{"error_rat": 0.5}"#,
        #"[1, 2]"#,
    ])
    func postSandboxFaultsRefusesBadValuesWith400(body: String) async throws {
        try await SandboxHarness.withSandbox { sandbox, client in
            let response = try await client.send(.POST, "/sandbox/faults", body: body)
            #expect(response.status == 400)
            #expect(try response.json()["reason"] is String)
            let current = try await client.send(.GET, "/sandbox/faults")
            #expect(try JSONDecoder().decode(SandboxFaults.self, from: current.body) == .none)
            _ = sandbox
        }
    }
}
