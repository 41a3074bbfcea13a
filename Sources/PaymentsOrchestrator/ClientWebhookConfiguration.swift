import PaymentsCore

/// How events are delivered to client endpoints.
public struct ClientWebhookConfiguration: Sendable {
    /// Deliveries in flight in this process at once; 0 delivers nothing here (an API-only instance).
    public var concurrency: Int
    /// Deliveries in flight to one endpoint at once, so a slow endpoint holds at most this many slots.
    public var perEndpointConcurrency: Int
    /// How long one delivery may take, connection included.
    public var timeout: Duration
    /// Retries with backoff, the first within seconds, for the policy's window (default 3 days); an endpoint failing
    /// for longer than the window is disabled.
    public var retry: RetryPolicy
    /// How long the secret before a rotation keeps signing beside the new one.
    public var secretOverlap: Duration
    /// How long events stay in the feed.
    public var eventRetention: Duration
    /// Whether `http` and private, loopback and link-local addresses may be endpoints (development only).
    public var targets: WebhookTargetPolicy
    /// How long a claimed delivery is leased; longer than the timeout.
    public var lease: Duration
    /// How often an idle deliverer looks for due deliveries while wake-ups from other processes arrive (see
    /// ``JobWorkerConfiguration/pollInterval``); retries it puts off wake it when due.
    public var pollInterval: Duration
    /// How often it looks while those wake-ups do not arrive.
    public var unnotifiedPollInterval: Duration

    /// Creates a configuration.
    public init(
        concurrency: Int = 16, perEndpointConcurrency: Int = 4, timeout: Duration = .seconds(10),
        retry: RetryPolicy = Self.defaultRetry, secretOverlap: Duration = .seconds(86_400),
        eventRetention: Duration = .seconds(30 * 86_400), targets: WebhookTargetPolicy = .init(allowPrivate: false),
        lease: Duration = .seconds(60), pollInterval: Duration = .seconds(5),
        unnotifiedPollInterval: Duration = .milliseconds(250)
    ) {
        self.concurrency = concurrency
        self.perEndpointConcurrency = perEndpointConcurrency
        self.timeout = timeout
        self.retry = retry
        self.secretOverlap = secretOverlap
        self.eventRetention = eventRetention
        self.targets = targets
        self.lease = lease
        self.pollInterval = pollInterval
        self.unnotifiedPollInterval = unnotifiedPollInterval
    }

    /// Full-jitter backoff from 2 s, capped at an hour, for three days.
    public static let defaultRetry = RetryPolicy(base: .seconds(2), cap: .seconds(3600), window: .seconds(3 * 86_400))
}
