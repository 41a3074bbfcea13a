import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Delivers the signed webhooks of accepted payments, off the request path.
///
/// Each payment's events run in their own child task: it sleeps until an event is due, posts it (retrying with
/// backoff), then moves on to the next, so one payment's events arrive in order while payments proceed independently.
/// Memory stays bounded because ``SandboxState`` admits at most `maximumPendingWebhookJobs` jobs; concurrent
/// connections are bounded by the HTTP client's pool. On graceful shutdown pending deliveries are dropped (and
/// counted in a log line) rather than holding the process up for minutes of retries.
struct WebhookDispatcher: Service {
    let jobs: AsyncStream<WebhookJob>
    let httpClient: HTTPClient
    let state: SandboxState
    let signer: WebhookSigner
    let policy: WebhookRetryPolicy
    let logger: Logger

    /// Runs until graceful shutdown or cancellation.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await job in self.jobs.cancelOnGracefulShutdown() {
                group.addTask { await self.deliver(job) }
            }
            let pending = await self.state.pendingWebhookJobs
            if pending > 0 {
                self.logger.notice(
                    "Dropping pending webhook deliveries on shutdown",
                    metadata: ["pending_payments": "\(pending)"]
                )
            }
            group.cancelAll()
        }
    }

    /// Delivers one payment's events in order.
    private func deliver(_ job: WebhookJob) async {
        var logger = self.logger
        logger[metadataKey: "payment_id"] = "\(job.paymentID)"
        logger[metadataKey: "client_ref"] = "\(job.clientRef)"
        logger[metadataKey: "bank_ref"] = "\(job.bankRef)"

        deliveries: for delivery in job.deliveries {
            do {
                try await Task.sleep(for: delivery.notBefore - self.state.clock.now)
            } catch {
                break deliveries
            }
            // Read the URL at send time: the embedded sandbox learns where to send only after the server has started.
            guard let url = await self.state.webhookURL else {
                logger.debug(
                    "No webhook URL configured; event not sent",
                    metadata: ["status": "\(delivery.event.status)"]
                )
                continue
            }
            for _ in 0..<delivery.copies {
                await self.deliverWithRetries(delivery, to: url, logger: logger)
                if Task.isCancelled { break deliveries }
            }
        }
        await self.state.webhookJobFinished()
    }

    /// Posts one event until a 2xx, giving up after the policy's last attempt.
    private func deliverWithRetries(_ delivery: WebhookJob.Delivery, to url: String, logger: Logger) async {
        var logger = logger
        logger[metadataKey: "event_id"] = "\(delivery.event.eventID)"
        logger[metadataKey: "status"] = "\(delivery.event.status)"

        var attempt = 1
        while true {
            let failure: String
            switch await self.post(delivery, to: url) {
            case .delivered:
                await self.state.recordWebhookSent()
                logger.debug("Webhook delivered", metadata: ["attempt": "\(attempt)"])
                return
            case .cancelled:
                return
            case .failed(let reason):
                failure = reason
            }

            guard attempt < self.policy.maximumAttempts else {
                await self.state.recordWebhookFailed()
                logger.error(
                    "Webhook delivery failed; giving up",
                    metadata: ["attempt": "\(attempt)", "error": "\(failure)"]
                )
                return
            }
            let backoff = self.policy.backoff(afterAttempt: attempt)
            logger.warning(
                "Webhook delivery failed; will retry",
                metadata: ["attempt": "\(attempt)", "error": "\(failure)", "retry_in": "\(backoff)"]
            )
            do {
                try await Task.sleep(for: backoff)
            } catch {
                return
            }
            attempt += 1
        }
    }

    private enum AttemptResult {
        case delivered
        case failed(String)
        case cancelled
    }

    /// One signed POST. The signature is computed per attempt so its timestamp stays within the receiver's window.
    private func post(_ delivery: WebhookJob.Delivery, to url: String) async -> AttemptResult {
        let timestamp = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(
            name: "Bank-Signature",
            value: self.signer.headerValue(timestamp: timestamp, body: delivery.body)
        )
        request.headers.add(name: "User-Agent", value: "bank-sandbox")
        request.body = .bytes(delivery.body)
        do {
            let response = try await self.httpClient.execute(request, timeout: self.policy.requestTimeout)
            // Drain the body so the connection goes back to the pool.
            for try await _ in response.body {}
            guard (200..<300).contains(response.status.code) else {
                return .failed("HTTP \(response.status.code)")
            }
            return .delivered
        } catch {
            if Task.isCancelled { return .cancelled }
            return .failed(String(describing: error))
        }
    }
}
