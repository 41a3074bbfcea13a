/// Counters that let tests and demos see what the bank saw, most importantly whether a payment was ever sent twice.
///
/// Served as snake_case JSON by `GET /sandbox/stats`.
public struct SandboxStats: Sendable, Codable, Equatable {
    /// Payments accepted (`201`); replays and rejections are not counted.
    public var payments = 0
    /// Submissions whose `end_to_end_id` (or `payment_id`) had already been seen under another payment or
    /// `Idempotency-Key`: the orchestrator sent one payment twice. Still accepted, as a real bank would.
    public var duplicateSubmissions = 0
    /// Requests that repeated an `Idempotency-Key` with the same body and were answered from the record.
    public var idempotentReplays = 0
    /// Webhook deliveries answered with a 2xx (a duplicated event counts each time it is delivered).
    public var webhooksSent = 0
    /// Webhook events given up on after every retry failed (or that could not be scheduled).
    public var webhooksFailed = 0
    /// OAuth2 access tokens issued.
    public var tokensIssued = 0
    /// Webhook events never sent because the drop fault fired: the status changed at the bank all the same.
    public var webhooksDropped = 0
    /// Accepted payments planned to complete and then be returned later.
    public var lateReturns = 0
    /// New payments recorded and then answered with a `500`, as if they had not been.
    public var ambiguousAccepts = 0

    /// All zero.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case payments
        case duplicateSubmissions = "duplicate_submissions"
        case idempotentReplays = "idempotent_replays"
        case webhooksSent = "webhooks_sent"
        case webhooksFailed = "webhooks_failed"
        case tokensIssued = "tokens_issued"
        case webhooksDropped = "webhooks_dropped"
        case lateReturns = "late_returns"
        case ambiguousAccepts = "ambiguous_accepts"
    }
}
