import Foundation
import PaymentsSupport

/// The JSON of a ``ClientEvent``, the same in the event feed and in every delivery:
/// `{id, type, created_at, client_id, data: {payment, corrected_from?} | {webhook_endpoint}}`.
///
/// The payment is the client API's payment without `history` and `attempts`, as it stood after the change: its status
/// and times let a client that receives events out of order keep the latest.
public enum ClientEventDocument {
    /// The event as a JSON value.
    public static func json(_ event: ClientEvent) -> JSONValue {
        .object(members(event))
    }

    /// The event's top-level members, for a response that adds its own beside them.
    public static func members(_ event: ClientEvent) -> [String: JSONValue] {
        var data: [String: JSONValue] = [:]
        if let payment = event.payment { data["payment"] = json(payment) }
        if let correctedFrom = event.correctedFrom { data["corrected_from"] = .string(correctedFrom.rawValue) }
        if let endpointID = event.endpointID {
            data["webhook_endpoint"] = .object(["id": .string(endpointID.lowercased), "status": .string("disabled")])
        }
        return [
            "id": .string(event.id.lowercased), "type": .string(event.type.rawValue),
            "created_at": .string(Timestamp.format(event.createdAt)), "client_id": .string(event.clientID),
            "data": .object(data),
        ]
    }

    /// The bytes posted to an endpoint.
    public static func body(_ event: ClientEvent) -> [UInt8] {
        json(event).serialized
    }

    /// A payment as events carry it: masked recipient, every nullable field present.
    static func json(_ payment: Payment) -> JSONValue {
        let recipient: JSONValue
        switch payment.recipient.masked {
        case .bankAccount(let name, let last4, let routing):
            recipient = .object([
                "type": .string("bank_account"), "name": .string(name), "account_last4": .string(last4),
                "routing_number": .string(routing),
            ])
        case .zelle(let name, let token):
            var members: [String: JSONValue] = ["type": .string("zelle"), "name": .string(name)]
            switch token {
            case .email(let email): members["email"] = .string(email)
            case .phone(let phone): members["phone"] = .string(phone)
            }
            recipient = .object(members)
        }
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            "payment_id": .string(payment.id.lowercased), "client_ref": .string(payment.clientRef),
            "amount": .integer(payment.amount.minorUnits), "currency": .string(payment.amount.currency.code),
            "recipient": recipient, "description": text(payment.description),
            "status": .string(payment.status.rawValue),
            "bank_ref": text(payment.bankRef), "return_code": text(payment.returnCode),
            "failure_reason": text(payment.failureReason), "created_at": .string(Timestamp.format(payment.createdAt)),
            "updated_at": .string(Timestamp.format(payment.updatedAt)), "trace_id": text(payment.traceID),
        ])
    }
}
