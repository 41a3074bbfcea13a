import PaymentsSupport

/// The faults the sandbox injects, so that the orchestrator's retries, idempotency and webhook handling can be
/// exercised against a bank that misbehaves on purpose.
///
/// Rates are probabilities in `0...1`, rolled independently for each request (or webhook). In JSON the keys are
/// snake_case (`error_rate`, `latency_ms`, ...) and every key is optional: a missing key takes its value from
/// ``none``.
public struct SandboxFaults: Sendable, Equatable {
    /// Probability that `POST /v1/payments` answers `503 {"error":"unavailable"}` before recording anything.
    public var errorRate: Double
    /// Probability that `POST /v1/payments` never answers: the request is held (up to five minutes, or until the
    /// sandbox shuts down) so that the client's timeout fires.
    public var hangRate: Double
    /// Latency added to every bank API call (`/oauth/token` and `/v1/payments...`), in milliseconds.
    public var latencyMs: Int
    /// Probability that `POST /v1/payments` answers `429` with `Retry-After: 1`.
    public var rateLimitRate: Double
    /// Probability that a new payment is rejected with `422 {"status":"rejected","reason":"Account closed"}`.
    /// The rejection is recorded, so a repeated `Idempotency-Key` replays it.
    public var rejectRate: Double
    /// Probability that an accepted payment settles as `returned` with a random ACH return code instead of
    /// `completed`.
    public var returnRate: Double
    /// Probability that a webhook event is delivered twice (same `event_id`, fresh signature).
    public var duplicateWebhookRate: Double
    /// When `true`, a payment's final event is delivered before its `processing` event.
    public var reorderWebhooks: Bool
    /// Extra delay before each webhook delivery, in milliseconds. The payment's state still advances on schedule,
    /// so this simulates a webhook that arrives later than the bank's own status (see `GET /v1/payments/{id}`).
    public var webhookDelayMs: Int
    /// Lifetime of issued OAuth2 access tokens, in seconds.
    public var tokenTTLSeconds: Int
    /// Whether clients must present a certificate signed by the client CA (mutual TLS): a connection without one
    /// fails the TLS handshake. Enforced only when the sandbox serves TLS (``BankSandboxConfiguration/tls``), and
    /// read once at start-up, since the handshake is configured then; a change at run time is recorded only.
    public var requireClientCert: Bool

    /// No faults: every call succeeds promptly, every payment completes, tokens live an hour.
    public static let none = SandboxFaults()

    /// Creates a set of faults; every parameter defaults to "no fault" (and a one-hour token lifetime).
    public init(
        errorRate: Double = 0,
        hangRate: Double = 0,
        latencyMs: Int = 0,
        rateLimitRate: Double = 0,
        rejectRate: Double = 0,
        returnRate: Double = 0,
        duplicateWebhookRate: Double = 0,
        reorderWebhooks: Bool = false,
        webhookDelayMs: Int = 0,
        tokenTTLSeconds: Int = 3600,
        requireClientCert: Bool = false
    ) {
        self.errorRate = errorRate
        self.hangRate = hangRate
        self.latencyMs = latencyMs
        self.rateLimitRate = rateLimitRate
        self.rejectRate = rejectRate
        self.returnRate = returnRate
        self.duplicateWebhookRate = duplicateWebhookRate
        self.reorderWebhooks = reorderWebhooks
        self.webhookDelayMs = webhookDelayMs
        self.tokenTTLSeconds = tokenTTLSeconds
        self.requireClientCert = requireClientCert
    }
}

extension SandboxFaults {
    /// The largest latency or webhook delay accepted, in milliseconds: five minutes, the same bound as a hang, so
    /// that a typo cannot park requests for days.
    static let maximumDelayMilliseconds = 300_000

    /// The longest token lifetime accepted, in seconds (one day).
    static let maximumTokenTTLSeconds = 86_400

    /// The JSON keys; their upper-case forms, prefixed with `SANDBOX_`, are the environment variables.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case errorRate = "error_rate"
        case hangRate = "hang_rate"
        case latencyMs = "latency_ms"
        case rateLimitRate = "rate_limit_rate"
        case rejectRate = "reject_rate"
        case returnRate = "return_rate"
        case duplicateWebhookRate = "duplicate_webhook_rate"
        case reorderWebhooks = "reorder_webhooks"
        case webhookDelayMs = "webhook_delay_ms"
        case tokenTTLSeconds = "token_ttl_seconds"
        case requireClientCert = "require_client_cert"

        /// The environment variable for this setting, e.g. `SANDBOX_ERROR_RATE`.
        var environmentVariable: String {
            "SANDBOX_" + self.rawValue.uppercased()
        }
    }

    /// Checks every value against its allowed range, naming the first bad setting with `name`.
    ///
    /// The caller picks the naming so that an environment problem names the variable and a JSON problem names the key.
    func validate(naming name: (CodingKeys) -> String) throws(ConfigurationError) {
        let rates: [(CodingKeys, Double)] = [
            (.errorRate, self.errorRate),
            (.hangRate, self.hangRate),
            (.rateLimitRate, self.rateLimitRate),
            (.rejectRate, self.rejectRate),
            (.returnRate, self.returnRate),
            (.duplicateWebhookRate, self.duplicateWebhookRate),
        ]
        // `contains` is false for NaN, so NaN is rejected along with out-of-range values.
        for (key, rate) in rates where !(0.0...1.0).contains(rate) {
            throw ConfigurationError(setting: name(key), reason: "must be a number between 0 and 1")
        }
        let delays: [(CodingKeys, Int)] = [(.latencyMs, self.latencyMs), (.webhookDelayMs, self.webhookDelayMs)]
        for (key, delay) in delays where !(0...Self.maximumDelayMilliseconds).contains(delay) {
            throw ConfigurationError(
                setting: name(key),
                reason: "must be a whole number of milliseconds between 0 and \(Self.maximumDelayMilliseconds)"
            )
        }
        guard (1...Self.maximumTokenTTLSeconds).contains(self.tokenTTLSeconds) else {
            throw ConfigurationError(
                setting: name(.tokenTTLSeconds),
                reason: "must be a whole number of seconds between 1 and \(Self.maximumTokenTTLSeconds)"
            )
        }
    }
}

extension SandboxFaults: Codable {
    /// Decodes faults from snake_case JSON; a missing key takes its value from ``none``.
    ///
    /// Throws ``ConfigurationError`` naming the JSON key when a value is out of range.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SandboxFaults.none
        self.init(
            errorRate: try container.decodeIfPresent(Double.self, forKey: .errorRate) ?? defaults.errorRate,
            hangRate: try container.decodeIfPresent(Double.self, forKey: .hangRate) ?? defaults.hangRate,
            latencyMs: try container.decodeIfPresent(Int.self, forKey: .latencyMs) ?? defaults.latencyMs,
            rateLimitRate: try container.decodeIfPresent(Double.self, forKey: .rateLimitRate) ?? defaults.rateLimitRate,
            rejectRate: try container.decodeIfPresent(Double.self, forKey: .rejectRate) ?? defaults.rejectRate,
            returnRate: try container.decodeIfPresent(Double.self, forKey: .returnRate) ?? defaults.returnRate,
            duplicateWebhookRate: try container.decodeIfPresent(Double.self, forKey: .duplicateWebhookRate)
                ?? defaults.duplicateWebhookRate,
            reorderWebhooks: try container.decodeIfPresent(Bool.self, forKey: .reorderWebhooks)
                ?? defaults.reorderWebhooks,
            webhookDelayMs: try container.decodeIfPresent(Int.self, forKey: .webhookDelayMs) ?? defaults.webhookDelayMs,
            tokenTTLSeconds: try container.decodeIfPresent(Int.self, forKey: .tokenTTLSeconds)
                ?? defaults.tokenTTLSeconds,
            requireClientCert: try container.decodeIfPresent(Bool.self, forKey: .requireClientCert)
                ?? defaults.requireClientCert
        )
        try self.validate(naming: \.rawValue)
    }

    /// Encodes every fault under its snake_case key.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.errorRate, forKey: .errorRate)
        try container.encode(self.hangRate, forKey: .hangRate)
        try container.encode(self.latencyMs, forKey: .latencyMs)
        try container.encode(self.rateLimitRate, forKey: .rateLimitRate)
        try container.encode(self.rejectRate, forKey: .rejectRate)
        try container.encode(self.returnRate, forKey: .returnRate)
        try container.encode(self.duplicateWebhookRate, forKey: .duplicateWebhookRate)
        try container.encode(self.reorderWebhooks, forKey: .reorderWebhooks)
        try container.encode(self.webhookDelayMs, forKey: .webhookDelayMs)
        try container.encode(self.tokenTTLSeconds, forKey: .tokenTTLSeconds)
        try container.encode(self.requireClientCert, forKey: .requireClientCert)
    }
}
