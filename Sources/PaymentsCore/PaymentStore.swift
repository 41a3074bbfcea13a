import Foundation

/// The port to persistent storage: payments, their history, webhook events and the durable job queue.
///
/// Every method that changes a payment also writes its history and the jobs the change creates in the same
/// transaction, so nothing half-written survives a failure.
public protocol PaymentStore: NotificationStore {
    /// Applies pending migrations.
    func migrate() async throws
    /// Throws unless the database is reachable and fully migrated.
    func checkReady() async throws

    /// Stores a payment in `initiated` with its history entry and a `submit` job, or finds the original of a replay.
    func create(_ payment: NewPayment) async throws -> PaymentCreation
    /// A payment by id, whoever owns it.
    func payment(id: UUID) async throws -> Payment?
    /// A page of one client's payments.
    func payments(_ query: PaymentQuery) async throws -> PaymentPage

    /// Records a bank webhook durably: a repeated `event_id` changes nothing; an unknown payment is kept for
    /// investigation; otherwise the event goes through the lifecycle.
    func recordWebhook(_ event: WebhookEvent, receivedAt: Date) async throws -> WebhookRecording

    /// Applies an event from outside the webhook path (reconciliation).
    func apply(_ event: PaymentEvent, to paymentID: UUID, now: Date) async throws -> EventOutcome?

    /// Claims the next due job of these kinds under a lease.
    func claimJob(kinds: Set<JobKind>, now: Date, lease: Duration) async throws -> Job?
    /// Claims the next due job like ``claimJob(kinds:now:lease:)`` and reads its payment with it (without its
    /// history), in one step where the store can: the worker's claim. The default claims, then reads the payment.
    func claimJobWithPayment(kinds: Set<JobKind>, now: Date, lease: Duration) async throws -> ClaimedJob?
    /// Up to `limit` jobs as ``claimJobWithPayment(kinds:now:lease:)`` claims one, in one step where the store can
    /// (a worker with free slots fills them in one round trip). The default claims one at a time.
    func claimJobs(kinds: Set<JobKind>, now: Date, lease: Duration, limit: Int) async throws -> [ClaimedJob]
    /// Ends a claimed job, applying the payment event its work produced in the same transaction.
    /// Returns `nil` for the outcome when there was no event; throws ``StoreError/leaseLost`` if the lease expired.
    func finish(_ job: Job, result: JobResult, event: PaymentEvent?, now: Date) async throws -> EventOutcome?
    /// Puts a claimed job back to run again at `runAt`. With `refundAttempt` the claim does not count as an attempt
    /// (the work was never tried, for example because the bank throttle refused the call).
    func reschedule(_ job: Job, runAt: Date, error: String, refundAttempt: Bool, now: Date) async throws
    /// Depth and oldest age of waiting work, per kind.
    func queueStats(now: Date) async throws -> [JobKind: JobQueueStats]
    /// Deletes up to `limit` jobs that ended (succeeded, skipped, or handed to reconciliation) before
    /// `finishedBefore`, oldest first; returns how many. Dead-lettered jobs stay for an operator.
    func deleteFinishedJobs(finishedBefore: Date, limit: Int) async throws -> Int

    // MARK: Reconciliation

    /// Payments to ask the bank about, least recently changed first, without their history: `initiated` ones no
    /// submission job will move any more and `processing` ones, unchanged since before `stuckBefore`; `completed` ones
    /// changed since `returnWindowStart` (a return may still come) but before `stuckBefore`; each only once its
    /// scheduled next check (``scheduleReconciliation(_:)``) has come.
    func reconciliationCandidates(now: Date, stuckBefore: Date, returnWindowStart: Date, limit: Int) async throws
        -> [Payment]
    /// Sets when each payment is next asked about.
    func scheduleReconciliation(_ nextCheck: [UUID: Date]) async throws
    /// The payments with these ids that exist, without their history.
    func payments(ids: [UUID]) async throws -> [Payment]
    /// What reconciliation has yet to settle.
    func reconciliationBacklog(stuckBefore: Date, now: Date) async throws -> ReconciliationBacklog
    /// Takes the run `name` for `lease` unless another instance holds it; returns the watermark the last run left
    /// (`nil` on the first run, or when the run is taken).
    func claimReconciliationRun(_ name: String, now: Date, lease: Duration) async throws -> ReconciliationRun?
    /// Ends a claimed run, keeping `watermark` for the next one.
    func finishReconciliationRun(_ name: String, watermark: Date?) async throws

    // MARK: Operations

    /// Every job of a payment, oldest first.
    func jobs(ofPayment paymentID: UUID) async throws -> [JobRecord]
    /// Dead-lettered jobs, most recent first.
    func deadLetteredJobs(kind: JobKind?, limit: Int) async throws -> [JobRecord]
    // MARK: Sealed recipient identifiers

    /// Re-seals up to `limit` payments' sealed values that another key than the ring's first sealed; returns how
    /// many it re-sealed (0 when none is left). Safe beside creates and other instances; resumable at any point.
    func resealBatch(limit: Int) async throws -> Int
    /// How many payments each key still seals values of, by key id.
    func sealedValueCounts() async throws -> [String: Int]
    /// Destroys the sealed account numbers of bank-account payments settled (`completed`, `returned`, `failed`) and
    /// unchanged since before `settledBefore`, up to `limit`; returns how many. The payment keeps its last four digits.
    func destroyAccountNumbers(settledBefore: Date, limit: Int) async throws -> Int
    /// Other payments to the same bank account as `paymentID`, found by blind index without opening any value,
    /// newest first, without their history.
    func paymentsToSameAccount(as paymentID: UUID, limit: Int) async throws -> [Payment]

    /// Queues dead-lettered jobs again, to run now with a fresh retry budget (attempts reset, and the retry window
    /// counted from now, as for a job queued now); returns how many were queued.
    func requeueDeadLetteredJobs(_ ids: [UUID], now: Date) async throws -> Int
}

/// A reconciliation run an instance holds.
public struct ReconciliationRun: Sendable, Hashable {
    /// Where the previous run got to in the bank's settlement report; `nil` before the first.
    public var watermark: Date?

    /// Creates a run.
    public init(watermark: Date?) {
        self.watermark = watermark
    }
}

extension PaymentStore {
    public func claimJobs(kinds: Set<JobKind>, now: Date, lease: Duration, limit: Int) async throws -> [ClaimedJob] {
        var claimed: [ClaimedJob] = []
        while claimed.count < limit, let next = try await claimJobWithPayment(kinds: kinds, now: now, lease: lease) {
            claimed.append(next)
        }
        return claimed
    }

    public func claimJobWithPayment(kinds: Set<JobKind>, now: Date, lease: Duration) async throws -> ClaimedJob? {
        guard let job = try await claimJob(kinds: kinds, now: now, lease: lease) else { return nil }
        var payment: Payment?
        do {
            payment = try await self.payment(id: job.paymentID)
        } catch let error as StoreError where error.code == .corrupt {
            // The payment cannot be read (a sealed value that does not open): the job is handed over as having no
            // payment, and the worker dead-letters it with the reason, instead of claiming it again forever.
            return ClaimedJob(job: job, payment: nil, unreadable: error.debugDescription)
        } catch {
            // Not an attempt: the work was never tried. Back in the queue shortly rather than after the lease.
            try? await reschedule(
                job, runAt: now.addingTimeInterval(1), error: "\(error)", refundAttempt: true, now: now)
            throw error
        }
        payment?.history = []
        return ClaimedJob(job: job, payment: payment)
    }
}

/// A payment after an event, and what the lifecycle made of it.
public struct EventOutcome: Sendable, Hashable {
    /// The payment as stored after the event.
    public var payment: Payment
    /// What the lifecycle decided.
    public var action: PaymentLifecycle.Action
    /// The status before the event.
    public var previousStatus: PaymentStatus

    /// Creates an outcome.
    public init(payment: Payment, action: PaymentLifecycle.Action, previousStatus: PaymentStatus) {
        self.payment = payment
        self.action = action
        self.previousStatus = previousStatus
    }
}

/// What recording a webhook came to.
public enum WebhookRecording: Sendable, Hashable {
    /// Recorded and run through the lifecycle.
    case recorded(EventOutcome)
    /// This `event_id` was recorded before; nothing changed.
    case duplicate
    /// No such payment; the event is kept for investigation.
    case unknownPayment
}

/// A storage failure. ``description`` is generic on purpose: SQL and values stay in ``debugDescription``.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure, for mapping to HTTP statuses and retry decisions.
    public enum Code: String, Sendable, Hashable {
        /// The database cannot be reached or is busy; retry later.
        case unavailable
        /// The job's lease expired and another worker may own it.
        case leaseLost
        /// The stored data or schema is not what this version expects.
        case corrupt
        /// The database refused a value of this request (a data exception); nothing was written, and no other
        /// request is affected.
        case rejectedValue
    }

    /// The kind of failure.
    public var code: Code
    /// Details for operators; may contain SQL, never parameter values.
    public var debugDescription: String

    /// Creates an error.
    public init(_ code: Code, debugDescription: String) {
        self.code = code
        self.debugDescription = debugDescription
    }

    public var description: String { "storage error: \(code.rawValue)" }

    /// The database cannot be reached or is busy.
    public static func unavailable(_ detail: String) -> StoreError {
        StoreError(.unavailable, debugDescription: detail)
    }
}
