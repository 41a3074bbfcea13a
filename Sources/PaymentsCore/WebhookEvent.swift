import Foundation
import PaymentsSupport

/// A status notification from the bank, as received on `POST /webhook/payments`.
public struct WebhookEvent: Sendable, Hashable {
    /// The bank's id for this notification; a repeat is acknowledged and changes nothing.
    public var eventID: String
    /// Our payment id, as sent to the bank.
    public var paymentID: UUID
    /// The bank's reference.
    public var bankRef: String?
    /// The reported status.
    public var status: PaymentStatus
    /// The ACH return code of a `returned` event.
    public var returnCode: String?
    /// The bank's reason text.
    public var reason: String?
    /// When the bank says it happened.
    public var occurredAt: Date

    /// Creates an event.
    public init(
        eventID: String, paymentID: UUID, bankRef: String?, status: PaymentStatus, returnCode: String?,
        reason: String?, occurredAt: Date
    ) {
        self.eventID = eventID
        self.paymentID = paymentID
        self.bankRef = bankRef
        self.status = status
        self.returnCode = returnCode
        self.reason = reason
        self.occurredAt = occurredAt
    }

    /// The same facts as a lifecycle event.
    public var paymentEvent: PaymentEvent {
        PaymentEvent(
            status: status, source: .webhook, occurredAt: occurredAt, bankRef: bankRef, returnCode: returnCode,
            reason: reason
        )
    }

    /// Parses a webhook body; the error lists every field at fault.
    public static func parse(_ body: JSONValue) -> Result<WebhookEvent, ValidationError> {
        guard case .object(let fields) = body else {
            return .failure(ValidationError([FieldError(pointer: "", detail: "the body must be a JSON object")]))
        }
        var errors: [FieldError] = []
        func string(_ key: String, required: Bool, maxLength: Int = 256) -> String? {
            switch fields[key] {
            // The bank's text is held to the API's rules: a control character (U+0000 above all) cannot be stored,
            // and an event that fails to store would be redelivered forever.
            case .string(let text)
            where !text.isEmpty && text.utf8.count <= maxLength && TextRules.problem(text, maximum: maxLength) == nil:
                return text
            case nil, .null:
                if required { errors.append(FieldError(pointer: "/\(key)", detail: "is required")) }
            default:
                errors.append(
                    FieldError(
                        pointer: "/\(key)",
                        detail: "must be a non-empty string of at most \(maxLength) bytes, without control characters"))
            }
            return nil
        }
        let eventID = string("event_id", required: true)
        let paymentIDText = string("payment_id", required: true)
        let paymentID = paymentIDText.flatMap(UUID.init(uuidString:))
        if paymentIDText != nil && paymentID == nil {
            errors.append(FieldError(pointer: "/payment_id", detail: "must be a UUID"))
        }
        let bankRef = string("bank_ref", required: false)
        let statusText = string("status", required: true)
        let status = statusText.flatMap(PaymentStatus.init(rawValue:))
        if statusText != nil && (status == nil || status == .initiated) {
            errors.append(FieldError(pointer: "/status", detail: "must be processing, completed, returned or failed"))
        }
        let returnCode = string("return_code", required: false, maxLength: 8)
        let reason = string("reason", required: false, maxLength: 512)
        let occurredText = string("occurred_at", required: true)
        let occurredAt = occurredText.flatMap(Timestamp.parse)
        if occurredText != nil && occurredAt == nil {
            errors.append(FieldError(pointer: "/occurred_at", detail: "must be an RFC 3339 date-time"))
        }
        guard errors.isEmpty, let eventID, let paymentID, let status, let occurredAt, status != .initiated else {
            return .failure(ValidationError(errors))
        }
        return .success(
            WebhookEvent(
                eventID: eventID, paymentID: paymentID, bankRef: bankRef, status: status, returnCode: returnCode,
                reason: reason, occurredAt: occurredAt
            )
        )
    }
}
