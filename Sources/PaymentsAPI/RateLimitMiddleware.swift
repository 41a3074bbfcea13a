import CoreMetrics
import Hummingbird
import Logging
import PaymentsCore
import Synchronization

/// A token bucket per client, after authentication: a client over its limit gets `429` problem+json with
/// `Retry-After`, counted in `api_rate_limited_total{client}`, and no other client notices. The buckets live in this
/// process: with several instances behind a balancer, a client's limit is per instance.
public final class RateLimitMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext

    private let limits: ClientRateLimits
    private let buckets = Mutex<[String: TokenBucket]>([:])
    private let metrics: any MetricsFactory
    private let clock: @Sendable () -> ContinuousClock.Instant

    /// Creates the middleware, with each of `clients`' counter at zero; `clock` is for tests.
    public init(
        limits: ClientRateLimits, metrics: any MetricsFactory, clients: [String] = [],
        clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.limits = limits
        self.metrics = metrics
        self.clock = clock
        for client in Set(clients) {
            _ = Counter(label: "api_rate_limited_total", dimensions: [("client", client)], factory: metrics)
        }
    }

    public func handle(
        _ request: Request, context: APIRequestContext, next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let client = context.client?.id else { return try await next(request, context) }
        let now = clock()
        let limit = limits.limit(for: client)
        let wait = buckets.withLock { buckets in
            var bucket = buckets[client] ?? TokenBucket(limit: limit, now: now)
            defer { buckets[client] = bucket }
            return bucket.take(now: now)
        }
        guard let wait else { return try await next(request, context) }
        Counter(label: "api_rate_limited_total", dimensions: [("client", client)], factory: metrics).increment()
        let seconds = max(1, (wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
        context.logger.notice(
            "Client API request refused: rate limit", metadata: ["limit": "\(limit)", "retry_after": "\(seconds)"])
        throw Problem(
            status: .tooManyRequests, slug: "rate-limited", title: "Too many requests",
            detail: "This client sends more than \(limit.perSecond) requests a second (bursts of \(limit.burst)); "
                + "retry after \(seconds) s.",
            headers: [.retryAfter: "\(seconds)"]
        )
    }
}
