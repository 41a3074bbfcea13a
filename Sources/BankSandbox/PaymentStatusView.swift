import Foundation
import PaymentsSupport

/// The body of `GET /v1/payments/{payment_id}`: `{"bank_ref", "status", "return_code"}` with explicit `null`s, since
/// the bank client expects every key to be present.
struct PaymentStatusView: Sendable, Equatable {
    /// `nil` only for a rejected payment, which never got a reference.
    let bankRef: String?
    /// `pending`, `processing`, `completed`, `returned`, or `rejected`.
    let status: String
    /// The R-code once the payment is `returned`.
    let returnCode: String?
    /// When the status last changed: listed in the settlement report, not in `GET /v1/payments/{id}`.
    let updatedAt: Date

    var json: JSONValue {
        .object([
            "bank_ref": bankRef.map(JSONValue.string) ?? .null, "status": .string(status),
            "return_code": returnCode.map(JSONValue.string) ?? .null,
        ])
    }

    /// The settlement report's entry: the status, our payment id and `updated_at`.
    func reportJSON(paymentID: String) -> JSONValue {
        .object([
            "payment_id": .string(paymentID), "bank_ref": bankRef.map(JSONValue.string) ?? .null,
            "status": .string(status), "return_code": returnCode.map(JSONValue.string) ?? .null,
            "updated_at": .string(Timestamp.format(updatedAt)),
        ])
    }
}
