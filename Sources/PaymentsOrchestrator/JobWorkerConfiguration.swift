import PaymentsCore

/// How the durable workers run.
public struct JobWorkerConfiguration: Sendable {
    /// Jobs run at once in this process.
    public var concurrency: Int
    /// How often to look for work when nothing wakes us sooner, while wake-ups from other processes arrive (a
    /// PostgreSQL notification for every job queued anywhere; on SQLite every writer is this process). A fallback
    /// only: retries this process puts off wake it when due.
    public var pollInterval: Duration
    /// How often to look while those wake-ups do not arrive (the listening connection is down).
    public var unnotifiedPollInterval: Duration
    /// How long a claim lasts; a crashed worker's job is claimed again after this.
    public var lease: Duration
    /// How long a finished job (succeeded, skipped, handed to reconciliation) is kept before the retention sweep
    /// deletes it; dead-lettered jobs are kept for an operator.
    public var retention: Duration
    /// Backoff for bank submissions.
    public var submitRetry: RetryPolicy
    /// Backoff for ERP updates.
    public var erpRetry: RetryPolicy

    /// Creates a configuration.
    public init(
        concurrency: Int = 8, pollInterval: Duration = .seconds(5),
        unnotifiedPollInterval: Duration = .milliseconds(250), lease: Duration = .seconds(30),
        retention: Duration = .seconds(7 * 86_400),
        submitRetry: RetryPolicy = .bankSubmission, erpRetry: RetryPolicy = .erpUpdate
    ) {
        self.concurrency = concurrency
        self.pollInterval = pollInterval
        self.unnotifiedPollInterval = unnotifiedPollInterval
        self.lease = lease
        self.retention = retention
        self.submitRetry = submitRetry
        self.erpRetry = erpRetry
    }

    /// Eight concurrent jobs; a 5-second poll, a quarter-second one without wake-ups; 30-second leases (three times
    /// the bank request timeout); finished jobs kept a week.
    public static let `default` = JobWorkerConfiguration()
}
