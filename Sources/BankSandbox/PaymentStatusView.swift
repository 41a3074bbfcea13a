/// The body of `GET /v1/payments/{payment_id}`: `{"bank_ref", "status", "return_code"}` with explicit `null`s.
struct PaymentStatusView: Sendable, Equatable, Encodable {
    /// `nil` only for a rejected payment, which never got a reference.
    let bankRef: String?
    /// `pending`, `processing`, `completed`, `returned`, or `rejected`.
    let status: String
    /// The R-code once the payment is `returned`.
    let returnCode: String?

    private enum CodingKeys: String, CodingKey {
        case bankRef = "bank_ref"
        case status
        case returnCode = "return_code"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        // `encode` rather than `encodeIfPresent`: the bank client expects the keys to be present, `null` or not.
        try container.encode(self.bankRef, forKey: .bankRef)
        try container.encode(self.status, forKey: .status)
        try container.encode(self.returnCode, forKey: .returnCode)
    }
}
