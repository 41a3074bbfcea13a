import Foundation

/// One webhook event as the bank sends it to `POST /webhook/payments`.
///
/// Encoded with explicit `null`s for `return_code` and `reason` (the receiver's contract lists both keys on every
/// event), and with `occurred_at` in ISO 8601 UTC to the millisecond, so that the receiver measures delivery lag
/// below a second.
struct WebhookEvent: Sendable, Equatable {
    /// Unique per event; a duplicated delivery repeats it so the receiver can deduplicate.
    let eventID: String
    let paymentID: String
    let bankRef: String
    /// `processing`, `completed` or `returned`.
    let status: String
    let returnCode: String?
    let reason: String?
    /// When the state change happened at the bank (not when the webhook was sent).
    let occurredAt: Date

    /// The exact bytes that are signed and posted; encoded once so every delivery of an event is identical.
    func jsonBody() -> Data {
        // Encoding strings, optionals and a formatted date cannot fail.
        (try? SandboxJSON.encode(self)) ?? Data()
    }
}

extension WebhookEvent: Encodable {
    private enum CodingKeys: String, CodingKey {
        case eventID = "event_id"
        case paymentID = "payment_id"
        case bankRef = "bank_ref"
        case status
        case returnCode = "return_code"
        case reason
        case occurredAt = "occurred_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.eventID, forKey: .eventID)
        try container.encode(self.paymentID, forKey: .paymentID)
        try container.encode(self.bankRef, forKey: .bankRef)
        try container.encode(self.status, forKey: .status)
        // `encode` (not `encodeIfPresent`) so that absent values appear as `null`, as the contract shows.
        try container.encode(self.returnCode, forKey: .returnCode)
        try container.encode(self.reason, forKey: .reason)
        try container.encode(
            self.occurredAt.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)), forKey: .occurredAt
        )
    }
}
