import HTTPTypes

extension HTTPField.Name {
    /// `Idempotency-Key`: the payment id, so a retried submission is recognised.
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    /// `X-API-Key`: the bank's api_key auth mode.
    static let apiKey = HTTPField.Name("X-API-Key")!
}
