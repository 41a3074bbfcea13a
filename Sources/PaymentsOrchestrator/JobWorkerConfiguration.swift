import PaymentsCore

/// How the durable workers run.
public struct JobWorkerConfiguration: Sendable {
    /// Jobs run at once in this process.
    public var concurrency: Int
    /// How often to look for work queued elsewhere or due for retry, when nothing wakes us sooner.
    public var pollInterval: Duration
    /// How long a claim lasts; a crashed worker's job is claimed again after this.
    public var lease: Duration
    /// Backoff for bank submissions.
    public var submitRetry: RetryPolicy
    /// Backoff for ERP updates.
    public var erpRetry: RetryPolicy

    /// Creates a configuration.
    public init(
        concurrency: Int = 8, pollInterval: Duration = .milliseconds(250), lease: Duration = .seconds(30),
        submitRetry: RetryPolicy = .bankSubmission, erpRetry: RetryPolicy = .erpUpdate
    ) {
        self.concurrency = concurrency
        self.pollInterval = pollInterval
        self.lease = lease
        self.submitRetry = submitRetry
        self.erpRetry = erpRetry
    }

    /// Eight concurrent jobs, a quarter-second poll, 30-second leases (three times the bank request timeout).
    public static let `default` = JobWorkerConfiguration()
}
