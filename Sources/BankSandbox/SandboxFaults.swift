import PaymentsSupport

/// The faults the sandbox injects, so that the orchestrator's retries, idempotency, webhook handling and
/// reconciliation can be exercised against a bank that misbehaves on purpose.
///
/// Rates are probabilities in `0...1`, rolled independently for each request (or webhook, or payment). In JSON the
/// keys are snake_case (`error_rate`, `latency_ms`, ...) and every key is optional: a missing key takes its value
/// from ``none``.
public struct SandboxFaults: Sendable, Equatable {
    /// Probability that `POST /v1/payments` answers `503 {"error":"unavailable"}` before recording anything.
    public var errorRate: Double
    /// Probability that `POST /v1/payments` never answers: the request is held (up to five minutes, or until the
    /// sandbox shuts down) so that the client's timeout fires.
    public var hangRate: Double
    /// Latency added to every bank API call (`/oauth/token`, `/v1/payments...`, `/v1/reports/settlements`), in
    /// milliseconds. A submission is booked once its latency has passed even if the client stopped waiting, as a
    /// bank finishes what it received: latency above the client's timeout makes every submission ambiguous.
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
    /// Probability that the bank changes a payment's status but never sends that webhook.
    public var dropWebhookRate: Double
    /// Probability that a completed payment is returned later, `lateReturnAfterMs` after it completed, with a
    /// webhook of its own (which may be dropped too).
    public var lateReturnRate: Double
    /// How long after completion a late return comes, in milliseconds.
    public var lateReturnAfterMs: Int
    /// Probability that the bank records a new payment, then answers `500` as if it had not: the orchestrator
    /// cannot tell whether the payment went through.
    public var ambiguousAcceptRate: Double

    /// No faults: every call succeeds promptly, every payment completes, tokens live an hour.
    public static let none = SandboxFaults()

    /// Creates a set of faults; every parameter defaults to "no fault" (a one-hour token lifetime, late returns a
    /// minute after completion).
    public init(
        errorRate: Double = 0, hangRate: Double = 0, latencyMs: Int = 0, rateLimitRate: Double = 0,
        rejectRate: Double = 0, returnRate: Double = 0, duplicateWebhookRate: Double = 0,
        reorderWebhooks: Bool = false, webhookDelayMs: Int = 0, tokenTTLSeconds: Int = 3600,
        requireClientCert: Bool = false, dropWebhookRate: Double = 0, lateReturnRate: Double = 0,
        lateReturnAfterMs: Int = 60_000, ambiguousAcceptRate: Double = 0
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
        self.dropWebhookRate = dropWebhookRate
        self.lateReturnRate = lateReturnRate
        self.lateReturnAfterMs = lateReturnAfterMs
        self.ambiguousAcceptRate = ambiguousAcceptRate
    }
}

extension SandboxFaults {
    /// The largest latency, webhook delay or late return accepted, in milliseconds: a day, so that a typo cannot
    /// park requests or returns for longer.
    static let maximumDelayMilliseconds = 86_400_000

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
        case dropWebhookRate = "drop_webhook_rate"
        case lateReturnRate = "late_return_rate"
        case lateReturnAfterMs = "late_return_after_ms"
        case ambiguousAcceptRate = "ambiguous_accept_rate"

        /// The environment variable for this setting, e.g. `SANDBOX_ERROR_RATE`.
        var environmentVariable: String {
            "SANDBOX_" + self.rawValue.uppercased()
        }

        /// How the setting's value is read, which decides its range.
        var kind: Kind {
            switch self {
            case .errorRate, .hangRate, .rateLimitRate, .rejectRate, .returnRate, .duplicateWebhookRate,
                .dropWebhookRate, .lateReturnRate, .ambiguousAcceptRate:
                .rate
            case .latencyMs, .webhookDelayMs, .lateReturnAfterMs: .milliseconds
            case .tokenTTLSeconds: .seconds
            case .reorderWebhooks, .requireClientCert: .flag
            }
        }
    }

    /// The kinds of fault setting.
    enum Kind {
        case rate
        case milliseconds
        case seconds
        case flag
    }

    /// One setting's value, as JSON.
    func value(_ key: CodingKeys) -> JSONValue {
        switch key {
        case .errorRate: .number(self.errorRate)
        case .hangRate: .number(self.hangRate)
        case .latencyMs: .integer(Int64(self.latencyMs))
        case .rateLimitRate: .number(self.rateLimitRate)
        case .rejectRate: .number(self.rejectRate)
        case .returnRate: .number(self.returnRate)
        case .duplicateWebhookRate: .number(self.duplicateWebhookRate)
        case .reorderWebhooks: .bool(self.reorderWebhooks)
        case .webhookDelayMs: .integer(Int64(self.webhookDelayMs))
        case .tokenTTLSeconds: .integer(Int64(self.tokenTTLSeconds))
        case .requireClientCert: .bool(self.requireClientCert)
        case .dropWebhookRate: .number(self.dropWebhookRate)
        case .lateReturnRate: .number(self.lateReturnRate)
        case .lateReturnAfterMs: .integer(Int64(self.lateReturnAfterMs))
        case .ambiguousAcceptRate: .number(self.ambiguousAcceptRate)
        }
    }

    /// Sets one setting from a JSON value of its kind, in range, naming `name` when it is not.
    mutating func set(_ key: CodingKeys, to value: JSONValue, naming name: String) throws(ConfigurationError) {
        func rate() throws(ConfigurationError) -> Double {
            let number: Double? =
                switch value {
                case .integer(let number): Double(number)
                case .number(let number): number
                default: nil
                }
            // `contains` is false for NaN, so NaN is refused along with out-of-range values.
            guard let number, (0.0...1.0).contains(number) else {
                throw ConfigurationError(setting: name, reason: "must be a number from 0 to 1")
            }
            return number
        }
        func whole(_ range: ClosedRange<Int>, _ unit: String) throws(ConfigurationError) -> Int {
            guard case .integer(let number) = value, let whole = Int(exactly: number), range.contains(whole) else {
                throw ConfigurationError(
                    setting: name,
                    reason: "must be a whole number of \(unit) from \(range.lowerBound) to \(range.upperBound)")
            }
            return whole
        }
        func flag() throws(ConfigurationError) -> Bool {
            guard case .bool(let flag) = value else {
                throw ConfigurationError(setting: name, reason: "must be true or false")
            }
            return flag
        }
        let delays = 0...Self.maximumDelayMilliseconds
        switch key {
        case .errorRate: self.errorRate = try rate()
        case .hangRate: self.hangRate = try rate()
        case .latencyMs: self.latencyMs = try whole(delays, "milliseconds")
        case .rateLimitRate: self.rateLimitRate = try rate()
        case .rejectRate: self.rejectRate = try rate()
        case .returnRate: self.returnRate = try rate()
        case .duplicateWebhookRate: self.duplicateWebhookRate = try rate()
        case .reorderWebhooks: self.reorderWebhooks = try flag()
        case .webhookDelayMs: self.webhookDelayMs = try whole(delays, "milliseconds")
        case .tokenTTLSeconds: self.tokenTTLSeconds = try whole(1...Self.maximumTokenTTLSeconds, "seconds")
        case .requireClientCert: self.requireClientCert = try flag()
        case .dropWebhookRate: self.dropWebhookRate = try rate()
        case .lateReturnRate: self.lateReturnRate = try rate()
        case .lateReturnAfterMs: self.lateReturnAfterMs = try whole(delays, "milliseconds")
        case .ambiguousAcceptRate: self.ambiguousAcceptRate = try rate()
        }
    }

    /// Checks every value against its allowed range, naming the first bad setting with `name`.
    func validate(naming name: (CodingKeys) -> String) throws(ConfigurationError) {
        var copy = self
        for key in CodingKeys.allCases { try copy.set(key, to: value(key), naming: name(key)) }
    }
}

extension SandboxFaults: Codable {
    /// Decodes faults from snake_case JSON; a missing key takes its value from ``none``, an unknown one or a value out
    /// of range throws ``PaymentsSupport/ConfigurationError`` naming the key.
    public init(from decoder: any Decoder) throws {
        self = try SandboxFaults.none.applying(patch: try JSONValue(from: decoder))
    }

    /// Encodes every fault under its snake_case key.
    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }

    /// Every fault under its snake_case key.
    var json: JSONValue {
        .object(Dictionary(uniqueKeysWithValues: CodingKeys.allCases.map { ($0.rawValue, value($0)) }))
    }
}
