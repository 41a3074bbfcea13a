import AsyncHTTPClient
import Foundation
import Testing

@testable import BankSandbox

/// The sandbox's webhook dispatcher against a receiver that is not there.
struct WebhookDispatcherTests {
    @Test func dispatcherGivesUpAfterTheLastAttemptAndCountsTheFailure() async throws {
        let state = SandboxState(
            configuration: BankSandboxConfiguration(
                webhookURL: "http://127.0.0.1:1/unreachable", processingDelay: .zero, settlementDelay: .zero
            )
        )
        let submission = try PaymentSubmission(
            json: Data(SandboxClient.paymentBody(paymentID: "pay_i1", clientRef: "INV-I1").utf8)
        )
        guard case .accepted(_, .scheduled(let job), _, _) = await state.submit(submission, idempotencyKey: "pay_i1")
        else {
            Issue.record("expected an accepted payment with scheduled webhooks")
            return
        }
        let (jobs, continuation) = AsyncStream.makeStream(of: WebhookJob.self)
        continuation.yield(job)
        let dispatcher = WebhookDispatcher(
            jobs: jobs,
            httpClient: .shared,
            state: state,
            signer: WebhookSigner(secrets: "secret"),
            policy: WebhookRetryPolicy(
                initialBackoff: .milliseconds(1),
                maximumBackoff: .milliseconds(4),
                maximumAttempts: 3,
                requestTimeout: .milliseconds(200)
            ),
            logger: SandboxHarness.quietLogger
        )

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await dispatcher.run() }
            defer { group.cancelAll() }
            let stats = try await SandboxHarness.eventually {
                let stats = await state.stats
                return stats.webhooksFailed == 2 ? stats : nil
            }
            #expect(stats?.webhooksSent == 0)
            #expect(await state.pendingWebhookJobs == 0)
        }
    }
}
