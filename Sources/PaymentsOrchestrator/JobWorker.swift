import CoreMetrics
import Foundation
import Logging
import PaymentsCore
import PaymentsSupport
import ServiceLifecycle
import Synchronization
import Tracing

/// Runs durable jobs: claims them from the store under a lease, carries them out and records the outcome, with
/// backoff between attempts and a dead letter after the last.
///
/// On graceful shutdown it stops claiming, lets the jobs in flight finish, then returns.
public final class JobWorker<Store: PaymentStore, Bank: BankGateway>: Service, Sendable {
    private let store: Store
    private let bank: Bank
    private let erp: any ERPGateway
    private let signal: WakeUpSignal
    private let configuration: JobWorkerConfiguration
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let random: @Sendable () -> UInt64
    private let inFlight = Mutex(0)
    private let submitGate: @Sendable () -> Bool
    private let retryGauges: RetryCountGauges
    private let paymentMetrics: PaymentMetrics
    private let jobMetrics: JobMetrics

    /// Creates a worker.
    ///
    /// - Parameters:
    ///   - submitGate: Whether `submit` jobs may be claimed now; while it says no (the bank is dead and the next
    ///     probe is not due) they wait in the queue and only other work runs.
    ///   - random: Where the retry jitter comes from; a simulation passes a seeded generator.
    public init(
        store: Store, bank: Bank, erp: any ERPGateway, signal: WakeUpSignal,
        configuration: JobWorkerConfiguration = .default,
        logger: Logger, metrics: any MetricsFactory = MetricsSystem.factory,
        submitGate: @escaping @Sendable () -> Bool = { true }, now: @escaping @Sendable () -> Date = Date.init,
        random: @escaping @Sendable () -> UInt64 = { UInt64.random(in: .min ... .max) }
    ) {
        self.store = store
        self.bank = bank
        self.erp = erp
        self.signal = signal
        self.configuration = configuration
        self.logger = logger
        self.now = now
        self.random = random
        self.submitGate = submitGate
        self.retryGauges = RetryCountGauges(factory: metrics)
        self.paymentMetrics = PaymentMetrics(factory: metrics)
        self.jobMetrics = JobMetrics(factory: metrics)
    }

    /// Drops retry series of payments that settled (possibly in another instance) while this one held the series.
    public func pruneRetryGauges() async {
        for id in retryGauges.tracked {
            if let payment = try? await store.payment(id: id), payment.status != .initiated {
                retryGauges.remove(id)
            }
        }
    }

    /// How long to wait for a wake-up before looking again: the fallback poll while `signal` hears of jobs other
    /// processes queue, the quick one while it does not.
    private var pollInterval: Duration {
        signal.hearsOtherProcesses ? configuration.pollInterval : configuration.unnotifiedPollInterval
    }

    public func run() async throws {
        let stopping = Mutex(false)
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                var consecutiveFailures = 0
                while !stopping.withLock({ $0 }) && !Task.isCancelled {
                    let free = configuration.concurrency - inFlight.withLock { $0 }
                    guard free > 0 else {
                        // Every slot is busy: the next to finish wakes the loop (as does shutdown), so no timer.
                        await signal.wait()
                        continue
                    }
                    let claimed: [ClaimedJob]
                    do {
                        claimed = try await claim(limit: free)
                    } catch {
                        // The database is away: back off exponentially (to 5 s) rather than hammer it or the log.
                        consecutiveFailures += 1
                        let backoff = min(
                            configuration.unnotifiedPollInterval * (1 << min(consecutiveFailures, 10)), .seconds(5))
                        if consecutiveFailures == 1 || consecutiveFailures % 10 == 0 {
                            logger.warning(
                                "Could not claim a job; backing off",
                                metadata: ["error": "\(error)", "consecutive_failures": "\(consecutiveFailures)"]
                            )
                        }
                        await signal.wait(upTo: backoff)
                        continue
                    }
                    if consecutiveFailures > 0 {
                        logger.info("Job queue reachable again", metadata: ["after_failures": "\(consecutiveFailures)"])
                        consecutiveFailures = 0
                    }
                    guard !claimed.isEmpty else {
                        await signal.wait(upTo: pollInterval)
                        continue
                    }
                    inFlight.withLock { $0 += claimed.count }
                    for claim in claimed {
                        group.addTask {
                            await self.run(claim)
                            self.inFlight.withLock { $0 -= 1 }
                            self.signal.notify()
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            stopping.withLock { $0 = true }
            self.signal.notify()
        }
        logger.info("Job worker stopped")
    }

    /// Claims up to `limit` due jobs under a lease (no submissions while the submit gate is shut): what the loop of
    /// ``run()`` does each time it has free slots, for a caller that owns the timing (the simulator).
    public func claim(limit: Int) async throws -> [ClaimedJob] {
        let kinds: Set<JobKind> = submitGate() ? Set(JobKind.allCases) : Set(JobKind.allCases).subtracting([.submit])
        return try await store.claimJobs(kinds: kinds, now: now(), lease: configuration.lease, limit: limit)
    }

    /// Carries out one claimed job and records its outcome, as the loop of ``run()`` does for each claim.
    public func run(_ claim: ClaimedJob) async {
        await process(claim.job, payment: claim.payment, unreadable: claim.unreadable)
    }

    /// Runs one claimed job; `payment` is the job's payment as read with the claim.
    private func process(_ job: Job, payment: Payment?, unreadable: String?) async {
        var logger = logger
        logger[metadataKey: "payment_id"] = "\(job.paymentID.lowercased)"
        logger[metadataKey: "job_id"] = "\(job.id.lowercased)"
        logger[metadataKey: "job_kind"] = "\(job.kind.rawValue)"
        logger[metadataKey: "attempt"] = "\(job.attempts)"
        guard let payment else {
            do {
                // An unreadable payment is dead-lettered with its reason (which names no value), for an operator.
                let reason = unreadable.map { "payment unreadable: \($0)" } ?? "payment not found"
                try await conclude(job, .finish(.deadLettered(reason), nil), logger: logger)
            } catch {
                logger.error("Could not record a job's outcome; it will run again", metadata: ["error": "\(error)"])
            }
            return
        }
        logger[metadataKey: "client_ref"] = "\(payment.clientRef)"
        await PaymentTrace.withSpan(
            "Worker.\(job.kind.rawValue)", traceParent: payment.traceParent, paymentID: payment.id,
            clientRef: payment.clientRef, kind: .consumer,
            // A link to what queued the job, unless that is the payment's own context, already the span's parent.
            links: job.traceParent.flatMap { $0 == payment.traceParent ? nil : [PaymentTrace.context(of: $0)] } ?? []
        ) { span in
            span.attributes["attempt"] = job.attempts
            span.attributes["job_id"] = job.id.lowercased
            let disposition: JobDisposition
            switch job.kind {
            case .submit: disposition = await submit(payment, job: job, logger: logger)
            case .erpUpdate: disposition = await notifyERP(payment, job: job)
            }
            do {
                try await conclude(job, disposition, logger: logger)
            } catch let error as StoreError where error.code == .leaseLost {
                logger.warning("Job lease expired before it finished; another worker owns it now")
            } catch {
                // The lease will expire and the job will be claimed again; the bank deduplicates by payment id.
                span.recordError(error)
                logger.error("Could not record a job's outcome; it will run again", metadata: ["error": "\(error)"])
            }
        }
    }

    private func notifyERP(_ payment: Payment, job: Job) async -> JobDisposition {
        switch await erp.notify(payment, id: job.id) {
        case .delivered: .finish(.succeeded, nil)
        case .skipped(let reason): .finish(.skipped(reason), nil)
        case .failed(let reason): .retry(error: reason, notBefore: .zero)
        }
    }

    private func submit(_ payment: Payment, job: Job, logger: Logger) async -> JobDisposition {
        guard payment.status == .initiated else {
            // A webhook overtook the bank's answer, or an earlier attempt was recorded: nothing to send.
            return .finish(.skipped("payment already \(payment.status.rawValue)"), nil)
        }
        do {
            switch try await bank.submit(BankSubmission(payment)) {
            case .accepted(let bankRef):
                return .finish(
                    .succeeded, PaymentEvent(status: .processing, source: .bank, occurredAt: now(), bankRef: bankRef))
            case .rejected(let reason):
                return .finish(
                    .succeeded, PaymentEvent(status: .failed, source: .bank, occurredAt: now(), reason: reason))
            }
        } catch {
            let spent = configuration.submitRetry.isSpent(
                elapsed: .timeInterval(now().timeIntervalSince(job.createdAt)))
            if error.kind == .throttled && !spent { return .wait(until: error.retryAfter ?? .seconds(1)) }
            guard spent else { return .retry(error: error.description, notBefore: error.retryAfter ?? .zero) }
            return await giveUpSubmitting(payment, job: job, lastError: error, logger: logger)
        }
    }

    /// The retry window is spent and the last attempt had no clear answer: the bank may have the payment all the
    /// same. Only the bank can say, so it is asked; a payment is failed only when it confirms it does not have it,
    /// and left for reconciliation when it cannot be asked.
    private func giveUpSubmitting(
        _ payment: Payment, job: Job, lastError: BankError, logger: Logger
    ) async -> JobDisposition {
        let attempts = "\(job.attempts) attempts over \(configuration.submitRetry.window)"
        do {
            guard let known = try await bank.status(of: payment.id, traceParent: payment.traceParent) else {
                let reason = "the bank does not have the payment after \(attempts); last error: \(lastError)"
                return .finish(
                    .succeeded, PaymentEvent(status: .failed, source: .bank, occurredAt: now(), reason: reason))
            }
            logger.notice(
                "Submission outcome was ambiguous; the bank has the payment",
                metadata: ["bank_status": "\(known.status.rawValue)"])
            return .finish(
                .succeeded,
                PaymentEvent(
                    status: known.status, source: .reconciliation, occurredAt: now(), bankRef: known.bankRef,
                    returnCode: known.returnCode
                )
            )
        } catch {
            logger.warning(
                "Submission outcome unknown and the bank cannot be asked; the payment waits for reconciliation",
                metadata: ["error": "\(lastError)", "status_error": "\(error)"])
            return .finish(
                .awaitingReconciliation("outcome unknown after \(attempts); last error: \(lastError)"), nil)
        }
    }

    private func conclude(_ job: Job, _ disposition: JobDisposition, logger: Logger) async throws {
        switch disposition {
        case .finish(let result, let event):
            let outcome = try await store.finish(job, result: result, event: event, now: now())
            if let outcome, let event {
                var logger = logger
                logger[metadataKey: "client_ref"] = "\(outcome.payment.clientRef)"
                PaymentOrchestrator<Store>.logOutcome(outcome, event: event, logger: logger)
                paymentMetrics.record(outcome, now: now())
                if !outcome.action.followUp.isEmpty { signal.notify() }
            }
            if job.kind == .submit {
                retryGauges.remove(job.paymentID)
                paymentMetrics.submissionConcluded(after: now().timeIntervalSince(job.createdAt))
            }
            switch result {
            case .succeeded: logger.debug("Job succeeded")
            case .skipped(let reason) where job.kind == .erpUpdate:
                // An ERP update is skipped only when no ERP is configured, which start-up says once: not once per
                // payment.
                logger.debug("Job skipped", metadata: ["reason": "\(reason)"])
            case .skipped(let reason): logger.info("Job skipped", metadata: ["reason": "\(reason)"])
            case .deadLettered(let reason):
                jobMetrics.deadLettered(job.kind)
                logger.error("Job dead-lettered", metadata: ["reason": "\(reason)"])
            case .awaitingReconciliation(let reason):
                logger.warning("Job handed to reconciliation", metadata: ["reason": "\(reason)"])
            }
        case .retry(let error, let notBefore):
            let policy = job.kind == .submit ? configuration.submitRetry : configuration.erpRetry
            var generator = ClosureRandomNumberGenerator(next: random)
            let elapsed = Duration.timeInterval(now().timeIntervalSince(job.createdAt))
            guard
                let delay = policy.delay(
                    afterAttempt: job.attempts, elapsed: elapsed, floor: notBefore, using: &generator)
            else {
                let reason = "gave up after \(job.attempts) attempts over \(policy.window): \(error)"
                let result: JobResult = job.kind == .submit ? .awaitingReconciliation(reason) : .deadLettered(reason)
                try await conclude(job, .finish(result, nil), logger: logger)
                return
            }
            try await store.reschedule(
                job, runAt: now().addingTimeInterval(Double(delay.wholeMilliseconds) / 1000), error: error,
                refundAttempt: false, now: now()
            )
            signal.notify(after: delay)
            if job.kind == .submit { retryGauges.set(job.attempts, for: job.paymentID) }
            logger.warning(
                "Job failed; retrying", metadata: ["error": "\(error)", "retry_in_ms": "\(delay.wholeMilliseconds)"]
            )
        case .wait(let delay):
            // Not an attempt: the call was never made. The job goes back to the queue until the throttle lets it by.
            try await store.reschedule(
                job, runAt: now().addingTimeInterval(Double(delay.wholeMilliseconds) / 1000),
                error: "bank call throttled", refundAttempt: true, now: now()
            )
            signal.notify(after: delay)
            logger.debug("Job waits for the bank throttle", metadata: ["retry_in_ms": "\(delay.wholeMilliseconds)"])
        }
    }
}
