import NIOCore

/// How hard the dispatcher tries to deliver one event: exponential backoff from 0.5 s, doubling, capped at 30 s,
/// for at most 10 attempts of 5 s each. Roughly two minutes in all, which covers a receiver restart but gives up on a
/// receiver that is gone.
struct WebhookRetryPolicy: Sendable {
    var initialBackoff: Duration = .milliseconds(500)
    var maximumBackoff: Duration = .seconds(30)
    var maximumAttempts = 10
    var requestTimeout: TimeAmount = .seconds(5)

    /// The documented policy.
    static let standard = WebhookRetryPolicy()

    /// The wait after failed attempt number `attempt` (1-based).
    func backoff(afterAttempt attempt: Int) -> Duration {
        var delay = self.initialBackoff
        for _ in 1..<max(attempt, 1) {
            delay *= 2
            if delay >= self.maximumBackoff { return self.maximumBackoff }
        }
        return min(delay, self.maximumBackoff)
    }
}
