import Foundation
import PaymentsSupport

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
    func jsonBody() -> [UInt8] {
        JSONValue.object([
            "event_id": .string(eventID), "payment_id": .string(paymentID), "bank_ref": .string(bankRef),
            "status": .string(status), "return_code": returnCode.map(JSONValue.string) ?? .null,
            "reason": reason.map(JSONValue.string) ?? .null,
            "occurred_at": .string(occurredAt.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))),
        ]).serialized
    }
}
