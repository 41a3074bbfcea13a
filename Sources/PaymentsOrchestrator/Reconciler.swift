import CoreMetrics
import Foundation
import Logging
import PaymentsCore
import PaymentsSupport
import ServiceLifecycle
import Tracing

/// Settles every open question with the bank, whose record is the truth about money.
///
/// Each run, one instance at a time (a lease in the store), it reads the bank's settlement report from where the
/// last run got to and applies every payment whose status differs from ours; then it asks the bank, one payment at a
/// time and at most `maxCallsPerSecond`, about the payments still open: `initiated` ones no submission will move
/// (the last attempt was ambiguous), `processing` ones whose final webhook is late, and `completed` ones whose
/// return window is still open (asked less often as they age). What the bank says goes through the lifecycle with
/// source `reconciliation`: a payment we hold as `failed` that the bank paid is corrected, an `initiated` one the
/// bank confirms it does not have is failed.
public final class Reconciler<Store: PaymentStore, Bank: BankGateway>: Service, Sendable {
    private let store: Store
    private let bank: Bank
    private let configuration: ReconcilerConfiguration
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Duration) async throws -> Void
    private let paymentMetrics: PaymentMetrics
    private let metrics: ReconcilerMetrics

    /// The store's name for the run's lease and the report's watermark.
    static var runName: String { "settlement_report" }

    /// Creates a reconciler.
    ///
    /// - Parameter sleep: How it waits between bank calls (its pace); a simulation, which owns time, passes its own.
    public init(
        store: Store, bank: Bank, configuration: ReconcilerConfiguration = .init(), logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory, now: @escaping @Sendable () -> Date = Date.init,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.store = store
        self.bank = bank
        self.configuration = configuration
        self.logger = logger
        self.now = now
        self.sleep = sleep
        self.paymentMetrics = PaymentMetrics(factory: metrics)
        self.metrics = ReconcilerMetrics(factory: metrics)
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

    /// One run, unless another instance is running one: the settlement report, then the payments still open.
    @discardableResult
    public func reconcileOnce() async -> ReconciliationSummary {
        var summary = ReconciliationSummary()
        let started = now()
        let run: ReconciliationRun?
        do {
            run = try await store.claimReconciliationRun(
                Self.runName, now: started, lease: max(configuration.interval * 2, .seconds(60)))
        } catch {
            metrics.run("failed")
            logger.warning("Reconciliation could not start", metadata: ["error": "\(error)"])
            return summary
        }
        guard let run else {
            metrics.run("skipped")
            return summary
        }
        summary.ran = true
        var nextSince = run.watermark
        var reportRead = false
        var failed = false
        do {
            if let since = try await readSettlementReport(since: run.watermark, summary: &summary) {
                nextSince = since
                reportRead = true
            }
        } catch {
            failed = true
            logger.warning("Reconciliation could not read the settlement report", metadata: ["error": "\(error)"])
        }
        do {
            try await askAboutOpenPayments(includingCompleted: !reportRead, summary: &summary)
        } catch {
            failed = true
            logger.warning("Reconciliation could not read the open payments", metadata: ["error": "\(error)"])
        }
        do {
            try await store.finishReconciliationRun(Self.runName, watermark: nextSince)
        } catch {
            failed = true
            logger.warning("Reconciliation could not record its run", metadata: ["error": "\(error)"])
        }
        summary.failed = failed
        metrics.run(failed ? "failed" : "completed")
        if summary.changed > 0 {
            logger.info(
                "Reconciliation run finished",
                metadata: [
                    "reported": "\(summary.reported)", "queried": "\(summary.queried)", "changed": "\(summary.changed)",
                ])
        }
        return summary
    }

    /// Pages through the bank's settlement report from `since` and applies every difference; returns where the next
    /// run reads from, or `nil` when the bank publishes no report. A run that reached the report's end leaves the
    /// next one an overlap before the latest change it saw, for changes the bank records late; a run stopped by the
    /// page limit leaves the next one exactly where it stopped, so a backlog larger than a run is worked through.
    private func readSettlementReport(since: Date?, summary: inout ReconciliationSummary) async throws -> Date? {
        var cursor: String?
        var latest: Date?
        var reachedEnd = false
        for _ in 0..<configuration.reportPagesPerRun {
            try await pace()
            guard let page = try await bank.settlementReport(since: since, cursor: cursor) else { return nil }
            summary.reported += page.entries.count
            let ours = Dictionary(
                try await store.payments(ids: page.entries.map(\.paymentID)).map { ($0.id, $0) },
                uniquingKeysWith: { first, _ in first })
            var confirmed: [UUID: Date] = [:]
            for entry in page.entries {
                latest = max(latest ?? entry.updatedAt, entry.updatedAt)
                guard let payment = ours[entry.paymentID] else {
                    metrics.mismatch("unknown_to_us")
                    logger.error(
                        "Reconciliation: the bank reports a payment we do not know",
                        metadata: ["payment_id": "\(entry.paymentID.lowercased)"])
                    continue
                }
                if Self.agrees(payment, entry.status) {
                    confirmed[payment.id] = nextCheck(after: payment)
                } else if try await applyFromReport(entry.status, to: payment) {
                    summary.changed += 1
                }
            }
            try await store.scheduleReconciliation(confirmed)
            guard let next = page.nextCursor else {
                reachedEnd = true
                break
            }
            cursor = next
        }
        guard let latest else { return since ?? .distantPast }
        guard reachedEnd else { return latest }
        return max(since ?? .distantPast, latest.addingTimeInterval(-configuration.reportOverlap.timeInterval))
    }

    /// Asks the bank about the payments still open, oldest change first, at the configured pace. Completed payments
    /// are asked about only when the bank publishes no settlement report: a return would be listed in it.
    private func askAboutOpenPayments(includingCompleted: Bool, summary: inout ReconciliationSummary) async throws {
        let now = now()
        let stuckBefore = now.addingTimeInterval(-configuration.stuckAfter.timeInterval)
        let candidates = try await store.reconciliationCandidates(
            now: now, stuckBefore: stuckBefore,
            returnWindowStart: includingCompleted
                ? now.addingTimeInterval(-configuration.returnWindow.timeInterval) : stuckBefore,
            limit: configuration.batchSize
        )
        for payment in candidates {
            try await pace()
            summary.queried += 1
            if await check(payment) { summary.changed += 1 }
        }
    }

    /// Applies a settlement report entry in the payment's trace, so the change shows in its one trace like any other.
    private func applyFromReport(_ remote: BankPaymentStatus, to payment: Payment) async throws -> Bool {
        try await PaymentTrace.withSpan(
            "Worker.reconcile", traceParent: payment.traceParent, paymentID: payment.id, clientRef: payment.clientRef
        ) { span in
            span.attributes["bank_status"] = remote.status.rawValue
            span.attributes["reconciliation.source"] = "settlement_report"
            return try await apply(remote, to: payment)
        }
    }

    /// Asks the bank about one payment, in the payment's trace; returns whether its status changed.
    private func check(_ payment: Payment) async -> Bool {
        await PaymentTrace.withSpan(
            "Worker.reconcile", traceParent: payment.traceParent, paymentID: payment.id, clientRef: payment.clientRef
        ) { span in
            let logger = paymentLogger(payment)
            do {
                guard let remote = try await bank.status(of: payment.id, traceParent: payment.traceParent) else {
                    return try await missingAtBank(payment, logger: logger)
                }
                span.attributes["bank_status"] = remote.status.rawValue
                span.attributes["reconciliation.source"] = "status_query"
                if Self.agrees(payment, remote) {
                    try await store.scheduleReconciliation([payment.id: nextCheck(after: payment)])
                    return false
                }
                return try await apply(remote, to: payment)
            } catch {
                span.recordError(error)
                logger.warning("Reconciliation could not ask the bank", metadata: ["error": "\(error)"])
                try? await store.scheduleReconciliation([payment.id: nextCheck(after: payment)])
                return false
            }
        }
    }

    /// Whether our record agrees with the bank's: the same status (and we know its reference), or ours is ahead of a
    /// bank record that lags (its webhook reached us before its report or status answer moved on).
    static func agrees(_ payment: Payment, _ remote: BankPaymentStatus) -> Bool {
        if remote.status == payment.status { return payment.bankRef != nil || remote.bankRef == nil }
        return PaymentLifecycle.allows(from: remote.status, to: payment.status)
    }

    /// The bank does not know the payment. For one no submission will move any more, that is the confirmation the
    /// payment needs to fail; for one the bank accepted, it is a contradiction to look into.
    private func missingAtBank(_ payment: Payment, logger: Logger) async throws -> Bool {
        metrics.mismatch("missing_at_bank")
        guard payment.status == .initiated else {
            logger.error("Reconciliation: the bank does not know a payment it accepted")
            try await store.scheduleReconciliation([payment.id: nextCheck(after: payment)])
            return false
        }
        let event = PaymentEvent(
            status: .failed, source: .reconciliation, occurredAt: now(),
            reason: "the bank does not have the payment (confirmed by reconciliation after an unconfirmed submission)"
        )
        return try await record(event, to: payment)
    }

    /// Applies the bank's record of a payment whose status differs from ours; returns whether ours changed.
    private func apply(_ remote: BankPaymentStatus, to payment: Payment) async throws -> Bool {
        if remote.status != payment.status { metrics.mismatch("status") }
        let event = PaymentEvent(
            status: remote.status, source: .reconciliation, occurredAt: now(), bankRef: remote.bankRef,
            returnCode: remote.returnCode, reason: remote.returnCode.map { "ACH return \($0)" }
        )
        return try await record(event, to: payment)
    }

    private func record(_ event: PaymentEvent, to payment: Payment) async throws -> Bool {
        guard let outcome = try await store.apply(event, to: payment.id, now: now()) else { return false }
        paymentMetrics.record(outcome, now: now())
        PaymentOrchestrator<Store>.logOutcome(outcome, event: event, logger: paymentLogger(outcome.payment))
        if outcome.action.newStatus == nil {
            try await store.scheduleReconciliation([payment.id: nextCheck(after: outcome.payment)])
        }
        return outcome.action.newStatus != nil
    }

    /// When to ask about a payment again: an open one after the stuck-after time, a completed one less often as it
    /// ages (a quarter of its age), never later than the end of its return window.
    private func nextCheck(after payment: Payment) -> Date {
        let now = now()
        guard payment.status == .completed else { return now.addingTimeInterval(configuration.stuckAfter.timeInterval) }
        let age = now.timeIntervalSince(payment.updatedAt)
        let windowEnd = payment.updatedAt.addingTimeInterval(configuration.returnWindow.timeInterval)
        let delay = max(configuration.stuckAfter.timeInterval, age / 4)
        return min(now.addingTimeInterval(delay), max(windowEnd, now))
    }

    private func paymentLogger(_ payment: Payment) -> Logger {
        var logger = logger
        logger[metadataKey: "payment_id"] = "\(payment.id.lowercased)"
        logger[metadataKey: "client_ref"] = "\(payment.clientRef)"
        return logger
    }

    /// Keeps reconciliation's calls to the bank under `maxCallsPerSecond`.
    private func pace() async throws {
        try await sleep(.timeInterval(1 / configuration.maxCallsPerSecond))
    }
}
