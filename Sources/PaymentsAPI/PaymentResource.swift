import Foundation
import Logging
import PaymentsCore
import PaymentsSupport

/// A payment as the client API renders it: masked recipient, every nullable field present as `null`.
struct PaymentResource: Encodable {
    let payment: Payment

    private enum Keys: String, CodingKey {
        case amount, currency, recipient, description, status, attempts, history
        case paymentID = "payment_id"
        case clientRef = "client_ref"
        case bankRef = "bank_ref"
        case returnCode = "return_code"
        case failureReason = "failure_reason"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case traceID = "trace_id"
    }

    private enum RecipientKeys: String, CodingKey {
        case type, name, email, phone
        case accountLast4 = "account_last4"
        case routingNumber = "routing_number"
    }

    private enum HistoryKeys: String, CodingKey {
        case status, at, source, applied, detail
        case correctedFrom = "corrected_from"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(payment.id.lowercased, forKey: .paymentID)
        try container.encode(payment.clientRef, forKey: .clientRef)
        try container.encode(payment.amount.minorUnits, forKey: .amount)
        try container.encode(payment.amount.currency.code, forKey: .currency)
        var recipient = container.nestedContainer(keyedBy: RecipientKeys.self, forKey: .recipient)
        switch payment.recipient.masked {
        case .bankAccount(let name, let last4, let routing):
            try recipient.encode("bank_account", forKey: .type)
            try recipient.encode(name, forKey: .name)
            try recipient.encode(last4, forKey: .accountLast4)
            try recipient.encode(routing, forKey: .routingNumber)
        case .zelle(let name, let token):
            try recipient.encode("zelle", forKey: .type)
            try recipient.encode(name, forKey: .name)
            switch token {
            case .email(let email): try recipient.encode(email, forKey: .email)
            case .phone(let phone): try recipient.encode(phone, forKey: .phone)
            }
        }
        try container.encode(payment.description, forKey: .description)
        try container.encode(payment.status.rawValue, forKey: .status)
        try container.encode(payment.bankRef, forKey: .bankRef)
        try container.encode(payment.returnCode, forKey: .returnCode)
        try container.encode(payment.failureReason, forKey: .failureReason)
        try container.encode(payment.attempts, forKey: .attempts)
        try container.encode(Timestamp.format(payment.createdAt), forKey: .createdAt)
        try container.encode(Timestamp.format(payment.updatedAt), forKey: .updatedAt)
        try container.encode(payment.traceID, forKey: .traceID)
        var history = container.nestedUnkeyedContainer(forKey: .history)
        for entry in payment.history {
            var item = history.nestedContainer(keyedBy: HistoryKeys.self)
            try item.encode(entry.status.rawValue, forKey: .status)
            try item.encode(Timestamp.format(entry.at), forKey: .at)
            try item.encode(entry.source.rawValue, forKey: .source)
            try item.encode(entry.applied, forKey: .applied)
            try item.encode(entry.detail, forKey: .detail)
            try item.encode(entry.correctedFrom?.rawValue, forKey: .correctedFrom)
        }
    }
}

extension PaymentResource {
    /// The same JSON as ``encode(to:)`` through `JSONEncoder.api` (keys sorted), written directly: the body of every
    /// create and read.
    func write(to json: inout JSONWriter) {
        // A new payment's three times are one instant: formatted once.
        let createdAt = Timestamp.format(payment.createdAt)
        func format(_ date: Date) -> String { date == payment.createdAt ? createdAt : Timestamp.format(date) }
        json.beginObject()
        json.key("amount")
        json.integer(payment.amount.minorUnits)
        json.key("attempts")
        json.integer(payment.attempts)
        json.key("bank_ref")
        json.string(payment.bankRef)
        json.key("client_ref")
        json.string(payment.clientRef)
        json.key("created_at")
        json.string(createdAt)
        json.key("currency")
        json.string(payment.amount.currency.code)
        json.key("description")
        json.string(payment.description)
        json.key("failure_reason")
        json.string(payment.failureReason)
        json.key("history")
        json.beginArray()
        for entry in payment.history {
            json.beginObject()
            json.key("applied")
            json.bool(entry.applied)
            json.key("at")
            json.string(format(entry.at))
            json.key("corrected_from")
            json.string(entry.correctedFrom?.rawValue)
            json.key("detail")
            json.string(entry.detail)
            json.key("source")
            json.string(entry.source.rawValue)
            json.key("status")
            json.string(entry.status.rawValue)
            json.endObject()
        }
        json.endArray()
        json.key("payment_id")
        json.string(payment.id.lowercased)
        json.key("recipient")
        json.beginObject()
        switch payment.recipient.masked {
        case .bankAccount(let name, let last4, let routing):
            json.key("account_last4")
            json.string(last4)
            json.key("name")
            json.string(name)
            json.key("routing_number")
            json.string(routing)
            json.key("type")
            json.string("bank_account")
        case .zelle(let name, let token):
            switch token {
            case .email(let email):
                json.key("email")
                json.string(email)
            case .phone: break
            }
            json.key("name")
            json.string(name)
            if case .phone(let phone) = token {
                json.key("phone")
                json.string(phone)
            }
            json.key("type")
            json.string("zelle")
        }
        json.endObject()
        json.key("return_code")
        json.string(payment.returnCode)
        json.key("status")
        json.string(payment.status.rawValue)
        json.key("trace_id")
        json.string(payment.traceID)
        json.key("updated_at")
        json.string(format(payment.updatedAt))
        json.endObject()
    }
}

/// A page of payments: `{"data": [...], "next_cursor": ...}`.
struct PaymentListResource: Encodable {
    let page: PaymentPage

    private enum Keys: String, CodingKey {
        case data
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(page.payments.map(PaymentResource.init), forKey: .data)
        try container.encode(page.next?.token, forKey: .nextCursor)
    }
}

extension PaymentListResource {
    /// The same JSON as ``encode(to:)`` through `JSONEncoder.api`, written directly.
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("data")
        json.beginArray()
        for payment in page.payments { PaymentResource(payment: payment).write(to: &json) }
        json.endArray()
        json.key("next_cursor")
        json.string(page.next?.token)
        json.endObject()
    }
}
