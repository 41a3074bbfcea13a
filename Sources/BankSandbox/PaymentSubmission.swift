import Foundation
import PaymentsSupport

/// A validated `POST /v1/payments` body.
///
/// Only the fields the bank acts on are checked; `recipient` is passed through as given (the orchestrator validates
/// account and routing numbers, the sandbox only needs an object to exist).
struct PaymentSubmission: Sendable {
    /// The orchestrator's payment id.
    let paymentID: String
    /// Amount in minor units.
    let amount: Int64
    /// ISO 4217 currency code as sent.
    let currency: String
    /// The sender's end-to-end reference (`end_to_end_id`, or the payment id when absent): unique per payment, the key
    /// the sandbox uses to detect one payment sent twice.
    let endToEndID: String
    /// The client's own reference: remittance information for the payee, not unique across senders' clients.
    let clientRef: String
    /// The whole body as parsed, compared when an `Idempotency-Key` is repeated.
    let body: JSONValue

    /// Why a body was refused; `reason` is returned to the caller in the `400` body.
    struct ValidationError: Error, Equatable {
        let reason: String
    }

    /// Parses and validates a request body.
    init(json: Data) throws(ValidationError) {
        guard case .object(let fields)? = try? JSONValue(parsing: json) else {
            throw ValidationError(reason: "body must be a JSON object")
        }
        guard case .string(let paymentID)? = fields["payment_id"], !paymentID.isEmpty else {
            throw ValidationError(reason: "payment_id must be a non-empty string")
        }
        guard case .integer(let amount)? = fields["amount"], amount > 0 else {
            throw ValidationError(reason: "amount must be a positive integer (minor units)")
        }
        guard case .string(let currency)? = fields["currency"], Self.isCurrencyCode(currency) else {
            throw ValidationError(reason: "currency must be a three-letter code")
        }
        guard case .string(let clientRef)? = fields["client_ref"], !clientRef.isEmpty else {
            throw ValidationError(reason: "client_ref must be a non-empty string")
        }
        guard case .object? = fields["recipient"] else {
            throw ValidationError(reason: "recipient must be an object")
        }
        switch fields["end_to_end_id"] {
        case nil: self.endToEndID = paymentID
        case .string(let reference)? where (1...64).contains(reference.utf8.count): self.endToEndID = reference
        default: throw ValidationError(reason: "end_to_end_id must be a string of 1 to 64 bytes")
        }
        self.paymentID = paymentID
        self.amount = amount
        self.currency = currency
        self.clientRef = clientRef
        self.body = .object(fields)
    }

    private static func isCurrencyCode(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        return scalars.count == 3 && scalars.allSatisfy { ("A"..."Z").contains($0) || ("a"..."z").contains($0) }
    }
}
