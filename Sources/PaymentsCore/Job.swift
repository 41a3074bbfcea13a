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

    /// Creates a claimed job.
    public init(job: Job, payment: Payment?) {
        self.job = job
        self.payment = payment
    }
}
