import PaymentsSupport

/// Exponential backoff with full jitter (the AWS Architecture Blog's "full jitter") within a total window: the n-th
/// retry waits a random time between zero and `min(cap, base * 2^n)`, which spreads a crowd of retries instead of
/// synchronising them, and retries go on until `window` has passed since the work was first queued, the last one
/// coming when the window ends.
public struct RetryPolicy: Sendable, Hashable {
    /// Delay scale of the first retry.
    public var base: Duration
    /// Largest delay.
    public var cap: Duration
    /// How long retrying goes on, counted from when the work was queued.
    public var window: Duration

    /// Creates a policy.
    public init(base: Duration, cap: Duration, window: Duration) {
        self.base = base
        self.cap = cap
        self.window = window
    }

    /// Bank submissions: retried for 30 minutes (`PAYMENTS_SUBMIT_RETRY_WINDOW_SECONDS`), at most 5 s apart, so that a
    /// payment on a flaky bank is not parked behind a long backoff. The bank throttle, not the backoff, is what spares
    /// a failing bank.
    public static let bankSubmission = RetryPolicy(base: .milliseconds(250), cap: .seconds(5), window: .seconds(1800))
    /// ERP notifications: retried for an hour.
    public static let erpUpdate = RetryPolicy(base: .seconds(1), cap: .seconds(300), window: .seconds(3600))

    /// The delay before the attempt after `attempt` (1-based) when `elapsed` has passed since the work was queued, or
    /// `nil` when the window is spent. Never less than `floor` (a server's `Retry-After`), never past the window's
    /// end (the last retry comes as the window closes).
    public func delay(
        afterAttempt attempt: Int, elapsed: Duration, floor: Duration = .zero,
        using generator: inout some RandomNumberGenerator
    ) -> Duration? {
        let remaining = window - elapsed
        guard remaining > .zero else { return nil }
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(cap, base * (1 << exponent))
        let ceilingMilliseconds = max(ceiling.wholeMilliseconds, 1)
        let jittered = Duration.milliseconds(Int64.random(in: 0...ceilingMilliseconds, using: &generator))
        return min(max(jittered, floor), remaining)
    }

    /// Whether the window has passed `elapsed` after the work was queued: the attempt just made was the last.
    public func isSpent(elapsed: Duration) -> Bool {
        elapsed >= window
    }
}
