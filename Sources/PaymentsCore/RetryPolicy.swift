import PaymentsSupport

/// Exponential backoff with full jitter (the AWS Architecture Blog's "full jitter"): the n-th retry waits a random time
/// between zero and `min(cap, base * 2^n)`, which spreads a crowd of retries instead of synchronising them.
public struct RetryPolicy: Sendable, Hashable {
    /// Delay scale of the first retry.
    public var base: Duration
    /// Largest delay.
    public var cap: Duration
    /// Attempts in all, the first included; after the last the work is dead-lettered.
    public var maxAttempts: Int

    /// Creates a policy.
    public init(base: Duration, cap: Duration, maxAttempts: Int) {
        self.base = base
        self.cap = cap
        self.maxAttempts = maxAttempts
    }

    /// Bank submissions: about 30 minutes of retrying in all before a payment is failed.
    public static let bankSubmission = RetryPolicy(base: .milliseconds(500), cap: .seconds(300), maxAttempts: 12)
    /// ERP notifications.
    public static let erpUpdate = RetryPolicy(base: .seconds(1), cap: .seconds(600), maxAttempts: 10)

    /// The delay before the attempt after `attempt` (1-based), never less than `floor` (a server's `Retry-After`).
    public func delay(
        afterAttempt attempt: Int, floor: Duration = .zero, using generator: inout some RandomNumberGenerator
    ) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(cap, base * (1 << exponent))
        let ceilingMilliseconds = max(ceiling.wholeMilliseconds, 1)
        let jittered = Duration.milliseconds(Int64.random(in: 0...ceilingMilliseconds, using: &generator))
        return max(jittered, floor)
    }

    /// Whether another attempt is allowed after `attempt` attempts.
    public func allowsRetry(afterAttempt attempt: Int) -> Bool {
        attempt < maxAttempts
    }
}
