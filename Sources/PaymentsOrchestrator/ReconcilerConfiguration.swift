/// How reconciliation runs.
public struct ReconcilerConfiguration: Sendable {
    /// How often a run starts (`PAYMENTS_RECONCILE_INTERVAL_SECONDS`).
    public var interval: Duration
    /// How long a payment may stay `initiated` or `processing` before the bank is asked about it
    /// (`PAYMENTS_RECONCILE_STUCK_AFTER_SECONDS`).
    public var stuckAfter: Duration
    /// How long after completion a return may still come, and a completed payment is still checked
    /// (`PAYMENTS_RETURN_WINDOW_SECONDS`).
    public var returnWindow: Duration
    /// Payments asked about one by one per run.
    public var batchSize: Int
    /// The most calls to the bank reconciliation makes in a second (`PAYMENTS_RECONCILE_MAX_CALLS_PER_SECOND`).
    public var maxCallsPerSecond: Double
    /// Settlement report pages read per run.
    public var reportPagesPerRun: Int
    /// How far before the latest change it saw a run that read the whole report leaves the next one to start, for
    /// changes the bank records late.
    public var reportOverlap: Duration

    /// Creates a configuration: every 30 s, open payments asked about after ten minutes, completed ones for five
    /// days, at most 200 payments and 5 calls a second per run.
    public init(
        interval: Duration = .seconds(30), stuckAfter: Duration = .seconds(600),
        returnWindow: Duration = .seconds(432_000),
        batchSize: Int = 200, maxCallsPerSecond: Double = 5, reportPagesPerRun: Int = 20,
        reportOverlap: Duration = .seconds(300)
    ) {
        self.interval = interval
        self.stuckAfter = stuckAfter
        self.returnWindow = returnWindow
        self.batchSize = batchSize
        self.maxCallsPerSecond = maxCallsPerSecond
        self.reportPagesPerRun = reportPagesPerRun
        self.reportOverlap = reportOverlap
    }
}
