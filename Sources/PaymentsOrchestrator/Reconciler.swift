import Foundation
import Logging
import PaymentsCore
import PaymentsSupport
import ServiceLifecycle
import Tracing

/// How reconciliation runs.
public struct ReconcilerConfiguration: Sendable {
    /// How often to look.
    public var interval: Duration
    /// How long a payment may sit in `processing` before we ask the bank.
    public var processingThreshold: Duration
    /// Payments looked at per round.
    public var batchSize: Int

    /// Creates a configuration: every 30 s, payments in `processing` for ten minutes, 50 at a time.
    public init(interval: Duration = .seconds(30), processingThreshold: Duration = .seconds(600), batchSize: Int = 50) {
        self.interval = interval
        self.processingThreshold = processingThreshold
        self.batchSize = batchSize
    }
}

/// Finds payments stuck in `processing` (their final webhook is late or lost) and asks the bank for their status,
/// recording what it says with source `reconciliation`. Every instance may run one: applying a status twice changes
/// nothing.
public final class Reconciler<Store: PaymentStore, Bank: BankGateway>: Service, Sendable {
    private let store: Store
    private let bank: Bank
    private let configuration: ReconcilerConfiguration
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let metrics: PaymentMetrics

    /// Creates a reconciler.
    public init(
        store: Store, bank: Bank, configuration: ReconcilerConfiguration = .init(), logger: Logger,
        metrics: PaymentMetrics = PaymentMetrics(), now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.metrics = metrics
        self.store = store
        self.bank = bank
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.configuration.interval) }
            } catch {
                return
            }
            await reconcileOnce()
        }
    }

    /// One round: returns how many payments changed.
    @discardableResult
    public func reconcileOnce() async -> Int {
        let threshold = configuration.processingThreshold.timeInterval
        let stale: [Payment]
        do {
            stale = try await store.stalePayments(
                in: .processing, updatedBefore: now().addingTimeInterval(-threshold), limit: configuration.batchSize
            )
        } catch {
            logger.warning("Reconciliation could not read stale payments", metadata: ["error": "\(error)"])
            return 0
        }
        var changed = 0
        for payment in stale {
            if await reconcile(payment) { changed += 1 }
        }
        return changed
    }

    /// Asks the bank about one payment, in the payment's trace; returns whether its status changed.
    private func reconcile(_ payment: Payment) async -> Bool {
        await PaymentTrace.withSpan(
            "Worker.reconcile", traceParent: payment.traceParent, paymentID: payment.id, clientRef: payment.clientRef
        ) { span in
            var logger = logger
            logger[metadataKey: "payment_id"] = "\(payment.id.lowercased)"
            logger[metadataKey: "client_ref"] = "\(payment.clientRef)"
            do {
                guard let remote = try await bank.status(of: payment.id, traceParent: payment.traceParent) else {
                    logger.error("Reconciliation: the bank does not know a payment it accepted")
                    return false
                }
                let event = PaymentEvent(
                    status: remote.status, source: .reconciliation, occurredAt: now(), bankRef: remote.bankRef,
                    returnCode: remote.returnCode, reason: remote.returnCode.map { "ACH return \($0)" }
                )
                guard let outcome = try await store.apply(event, to: payment.id, now: now()) else { return false }
                metrics.record(outcome, now: now())
                span.attributes["status"] = outcome.payment.status.rawValue
                guard case .transition = outcome.action else { return false }
                logger.info(
                    "Reconciliation found a newer status",
                    metadata: ["status": "\(outcome.payment.status.rawValue)", "source": "reconciliation"]
                )
                return true
            } catch {
                span.recordError(error)
                logger.warning("Reconciliation could not ask the bank", metadata: ["error": "\(error)"])
                return false
            }
        }
    }
}
