import Foundation

/// A claimed unit of durable work. Only the worker holding ``leaseToken`` may finish or reschedule it.
public struct Job: Sendable, Hashable, Identifiable {
    /// The job's id.
    public var id: UUID
    /// What to do.
    public var kind: JobKind
    /// The payment it is about.
    public var paymentID: UUID
    /// Attempts so far, this one included.
    public var attempts: Int
    /// Proves this claim is still the current one.
    public var leaseToken: UUID
    /// When it was first queued.
    public var createdAt: Date
    /// The `traceparent` of what queued it, so the job's span links its trigger.
    public var traceParent: String?

    /// Creates a job.
    public init(
        id: UUID, kind: JobKind, paymentID: UUID, attempts: Int, leaseToken: UUID, createdAt: Date,
        traceParent: String?
    ) {
        self.id = id
        self.kind = kind
        self.paymentID = paymentID
        self.attempts = attempts
        self.leaseToken = leaseToken
        self.createdAt = createdAt
        self.traceParent = traceParent
    }
}

/// How a job ended.
public enum JobResult: Sendable, Hashable {
    /// Done.
    case succeeded
    /// Nothing to do (for example no ERP is configured); kept with the reason.
    case skipped(String)
    /// Given up after the last attempt or a permanent error; kept with the reason for investigation.
    case deadLettered(String)
    /// The work's outcome is unknown and cannot be learnt now (the last submission was ambiguous and the bank could
    /// not be asked): reconciliation with the bank decides; kept with the reason.
    case awaitingReconciliation(String)

    /// The state the job row records.
    public var state: String {
        switch self {
        case .succeeded: "succeeded"
        case .skipped: "skipped"
        case .deadLettered: "dead"
        case .awaitingReconciliation: "reconcile"
        }
    }

    /// The note kept with the state.
    public var note: String? {
        switch self {
        case .succeeded: nil
        case .skipped(let reason), .deadLettered(let reason), .awaitingReconciliation(let reason): reason
        }
    }
}

/// A job as stored, for operators: what it is about, where it stands and why.
public struct JobRecord: Sendable, Hashable, Identifiable {
    /// The job's id.
    public var id: UUID
    /// What it does.
    public var kind: JobKind
    /// Its payment.
    public var paymentID: UUID
    /// `queued`, `running`, `succeeded`, `skipped`, `dead` or `reconcile`.
    public var state: String
    /// Attempts so far.
    public var attempts: Int
    /// When it runs next (queued) or ran last.
    public var runAt: Date
    /// The last attempt's error.
    public var lastError: String?
    /// The note of a finished job (why it was skipped or dead-lettered).
    public var result: String?
    /// When it was queued.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date

    /// Creates a record.
    public init(
        id: UUID, kind: JobKind, paymentID: UUID, state: String, attempts: Int, runAt: Date, lastError: String?,
        result: String?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.paymentID = paymentID
        self.state = state
        self.attempts = attempts
        self.runAt = runAt
        self.lastError = lastError
        self.result = result
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Payments reconciliation has yet to settle with the bank.
public struct ReconciliationBacklog: Sendable, Hashable {
    /// `initiated` payments whose submission ended without a clear answer, so nothing but reconciliation will move
    /// them.
    public var unconfirmedSubmissions: Int
    /// `processing` payments unchanged for longer than the stuck-after setting (their final webhook is late).
    public var stuckProcessing: Int
    /// Seconds since the oldest of all of them last changed (0 when there are none).
    public var oldestAge: TimeInterval

    /// Creates a backlog.
    public init(unconfirmedSubmissions: Int, stuckProcessing: Int, oldestAge: TimeInterval) {
        self.unconfirmedSubmissions = unconfirmedSubmissions
        self.stuckProcessing = stuckProcessing
        self.oldestAge = oldestAge
    }
}

/// Durable work waiting, per kind.
public struct JobQueueStats: Sendable, Hashable {
    /// Jobs queued or running.
    public var depth: Int
    /// Age of the oldest of them.
    public var oldestAge: TimeInterval

    /// Creates stats.
    public init(depth: Int, oldestAge: TimeInterval) {
        self.depth = depth
        self.oldestAge = oldestAge
    }
}

/// A job just claimed, with its payment as read in the same step: what a worker needs to run it.
public struct ClaimedJob: Sendable, Hashable {
    /// The job, leased to the claimant.
    public var job: Job
    /// The job's payment without its history (`history` is empty), as stored when the job was claimed, its
    /// `attempts` counting this claim; `nil` if there is no such payment.
    public var payment: Payment?
    /// Why the payment could not be read, when it exists but does not (a sealed value that does not open).
    public var unreadable: String?

    /// Creates a claimed job.
    public init(job: Job, payment: Payment?, unreadable: String? = nil) {
        self.job = job
        self.payment = payment
        self.unreadable = unreadable
    }
}
