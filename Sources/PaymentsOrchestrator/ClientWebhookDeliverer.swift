import CoreMetrics
import Foundation
import Logging
import PaymentsCore
import PaymentsSupport
import ServiceLifecycle
import Synchronization
import Tracing

/// Delivers client events to their endpoints: claims due deliveries under a lease, checks the endpoint's address
/// again (DNS can change), posts the signed event and records the attempt, retrying with backoff for the retry
/// window and disabling an endpoint that failed for longer than that.
///
/// A slow or dead endpoint holds at most ``ClientWebhookConfiguration/perEndpointConcurrency`` slots: deliveries to
/// other endpoints go on. At least once and unordered; the event carries the payment's status and times.
public final class ClientWebhookDeliverer<Store: NotificationStore>: Service, Sendable {
    private let store: Store
    private let transport: any WebhookTransport
    private let configuration: ClientWebhookConfiguration
    private let logger: Logger
    private let signal: WakeUpSignal
    private let now: @Sendable () -> Date
    private let inFlight = Mutex<[UUID: Int]>([:])
    private let metrics: DeliveryMetrics

    /// Creates a deliverer.
    public init(
        store: Store, transport: any WebhookTransport, configuration: ClientWebhookConfiguration, logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory, signal: WakeUpSignal = WakeUpSignal(),
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.transport = transport
        self.configuration = configuration
        self.logger = logger
        self.signal = signal
        self.now = now
        self.metrics = DeliveryMetrics(factory: metrics)
    }

    public func run() async throws {
        let stopping = Mutex(false)
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                var consecutiveFailures = 0
                while !stopping.withLock({ $0 }) && !Task.isCancelled {
                    let (total, busy) = inFlight.withLock { counts in
                        (
                            counts.values.reduce(0, +),
                            Set(counts.filter { $0.value >= configuration.perEndpointConcurrency }.keys)
                        )
                    }
                    let pollInterval =
                        signal.hearsOtherProcesses ? configuration.pollInterval : configuration.unnotifiedPollInterval
                    guard total < configuration.concurrency else {
                        // Every slot is busy: the next to finish wakes the loop (as does shutdown), so no timer.
                        await signal.wait()
                        continue
                    }
                    let claimed: ClaimedDelivery?
                    do {
                        claimed = try await store.claimDelivery(now: now(), lease: configuration.lease, busy: busy)
                    } catch {
                        // The database is away: one line at first and every tenth failure, not one a second.
                        consecutiveFailures += 1
                        if consecutiveFailures == 1 || consecutiveFailures % 10 == 0 {
                            logger.warning(
                                "Could not claim a webhook delivery",
                                metadata: ["error": "\(error)", "consecutive_failures": "\(consecutiveFailures)"])
                        }
                        await signal.wait(upTo: .seconds(1))
                        continue
                    }
                    consecutiveFailures = 0
                    guard let claimed else {
                        await signal.wait(upTo: pollInterval)
                        continue
                    }
                    inFlight.withLock { $0[claimed.endpointID, default: 0] += 1 }
                    group.addTask {
                        await self.deliver(claimed)
                        self.inFlight.withLock { counts in
                            counts[claimed.endpointID, default: 1] -= 1
                            if counts[claimed.endpointID] == 0 { counts[claimed.endpointID] = nil }
                        }
                        self.signal.notify()
                    }
                }
            }
        } onGracefulShutdown: {
            stopping.withLock { $0 = true }
            self.signal.notify()
        }
        logger.info("Webhook deliverer stopped")
    }

    /// Makes one delivery and records it.
    func deliver(_ delivery: ClaimedDelivery) async {
        var logger = logger
        logger[metadataKey: "event_id"] = "\(delivery.event.id.lowercased)"
        logger[metadataKey: "event_type"] = "\(delivery.event.type.rawValue)"
        logger[metadataKey: "endpoint_id"] = "\(delivery.endpointID.lowercased)"
        logger[metadataKey: "attempt"] = "\(delivery.attempts)"
        if let payment = delivery.event.payment {
            logger[metadataKey: "payment_id"] = "\(payment.id.lowercased)"
            logger[metadataKey: "client_ref"] = "\(payment.clientRef)"
            await PaymentTrace.withSpan(
                "Webhook.deliver", traceParent: payment.traceParent, paymentID: payment.id,
                clientRef: payment.clientRef, kind: .producer
            ) { span in
                await attempt(delivery, span: span, logger: logger)
            }
        } else {
            let span = InstrumentationSystem.tracer.startAnySpan("Webhook.deliver", ofKind: .producer)
            defer { span.end() }
            await ServiceContext.$current.withValue(span.context) {
                await attempt(delivery, span: span, logger: logger)
            }
        }
    }

    private func attempt(_ delivery: ClaimedDelivery, span: any Span, logger: Logger) async {
        span.attributes["event.id"] = delivery.event.id.lowercased
        span.attributes["event.type"] = delivery.event.type.rawValue
        span.attributes["webhook.endpoint_id"] = delivery.endpointID.lowercased
        span.attributes["attempt"] = delivery.attempts
        let started = ContinuousClock.now
        let at = now()
        let result = await post(delivery)
        let latency = ContinuousClock.now - started
        let attempt: DeliveryAttempt
        let outcome: DeliveryMetrics.Outcome
        switch result {
        case .answered(let code):
            span.attributes["http.response.status_code"] = code
            attempt = DeliveryAttempt(
                endpointID: delivery.endpointID, at: at, statusCode: code, latency: latency,
                error: (200..<300).contains(code) ? nil : "endpoint answered HTTP \(code)")
            outcome = attempt.delivered ? .delivered : .failed
        case .failed(let reason):
            attempt = DeliveryAttempt(
                endpointID: delivery.endpointID, at: at, statusCode: nil, latency: latency, error: reason)
            outcome = reason.hasPrefix("refused:") ? .refused : .failed
        }
        if !attempt.delivered { span.setStatus(SpanStatus(code: .error, message: attempt.error)) }
        let next: DeliveryNext
        if attempt.delivered {
            next = .delivered
        } else {
            var generator = SystemRandomNumberGenerator()
            let elapsed = Duration.timeInterval(now().timeIntervalSince(delivery.createdAt))
            if let delay = configuration.retry.delay(
                afterAttempt: delivery.attempts, elapsed: elapsed, using: &generator)
            {
                next = .retry(at: now().addingTimeInterval(delay.timeInterval))
                signal.notify(after: delay)
            } else {
                next = .gaveUp
            }
        }
        metrics.record(next == .gaveUp ? .gaveUp : outcome, latency: latency)
        do {
            let finish = try await store.finishDelivery(
                delivery, attempt: attempt, next: next,
                disableIfFailingSince: now().addingTimeInterval(-configuration.retry.window.timeInterval), now: now())
            switch next {
            case .delivered:
                logger.debug("Webhook delivered", metadata: ["latency_ms": "\(latency.wholeMilliseconds)"])
            case .retry(let time):
                logger.notice(
                    "Webhook delivery failed; retrying",
                    metadata: [
                        "error": "\(attempt.error ?? "")",
                        "retry_in_ms": "\(Int64(time.timeIntervalSince(now()) * 1000))",
                    ])
            case .gaveUp:
                logger.warning(
                    "Webhook delivery given up after the retry window", metadata: ["error": "\(attempt.error ?? "")"])
            }
            if finish.disabledEndpoint {
                metrics.endpointDisabled()
                logger.warning("Webhook endpoint disabled: it failed for longer than the retry window")
            }
        } catch let error as StoreError where error.code == .leaseLost {
            logger.warning("Webhook delivery lease expired before it was recorded; it may be delivered again")
        } catch {
            logger.error("Could not record a webhook delivery; it will be made again", metadata: ["error": "\(error)"])
        }
    }

    /// Checks the target, signs and posts.
    private func post(_ delivery: ClaimedDelivery) async -> WebhookPostResult {
        let target: WebhookTargetPolicy.Target
        switch configuration.targets.check(url: delivery.url) {
        case .success(let checked): target = checked
        case .failure(let problem): return .failed(reason: "refused: the URL \(problem.reason)")
        }
        let addresses: [String]
        switch await configuration.targets.resolve(target) {
        case .success(let resolved): addresses = resolved
        case .failure(let problem): return .failed(reason: "refused: the host \(problem.reason)")
        }
        let body = ClientEventDocument.body(delivery.event)
        let timestamp = Int64(now().timeIntervalSince1970)
        var headers: [(String, String)] = [
            ("Content-Type", "application/json"), ("Payments-Event-Id", delivery.event.id.lowercased),
            (
                ClientWebhookSignature.headerName,
                ClientWebhookSignature.header(secrets: delivery.secrets, timestamp: timestamp, body: body)
            ),
        ]
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(
            ServiceContext.current ?? .topLevel, into: &carrier, using: DictionaryInjector())
        // Without a tracer (nothing injected), the payment's own trace context still links the receiver to it.
        if let traceParent = carrier["traceparent"] ?? delivery.event.payment?.traceParent {
            headers.append(("traceparent", traceParent))
        }
        return await transport.post(
            url: delivery.url, addresses: addresses, headers: headers, body: body, timeout: configuration.timeout)
    }
}

/// Writes trace context into a dictionary, for the delivery's `traceparent`.
private struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}

/// `client_webhook_deliveries_total{outcome}`, `client_webhook_delivery_duration_seconds` and
/// `client_webhook_endpoints_disabled_total`, registered at zero.
struct DeliveryMetrics: Sendable {
    enum Outcome: String, CaseIterable {
        case delivered
        case failed
        case gaveUp = "gave_up"
        case refused
    }

    private let deliveries: [Outcome: Counter]
    private let duration: Recorder
    private let disabled: Counter

    init(factory: any MetricsFactory) {
        var deliveries: [Outcome: Counter] = [:]
        for outcome in Outcome.allCases {
            deliveries[outcome] = Counter(
                label: "client_webhook_deliveries_total", dimensions: [("outcome", outcome.rawValue)],
                factory: factory)
        }
        self.deliveries = deliveries
        self.duration = Recorder(
            label: "client_webhook_delivery_duration_seconds", dimensions: [], aggregate: true, factory: factory)
        self.disabled = Counter(label: "client_webhook_endpoints_disabled_total", dimensions: [], factory: factory)
    }

    func record(_ outcome: Outcome, latency: Duration) {
        deliveries[outcome]?.increment()
        duration.record(latency.timeInterval)
    }

    func endpointDisabled() {
        disabled.increment()
    }
}
