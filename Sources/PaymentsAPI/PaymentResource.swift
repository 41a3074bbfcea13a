import Logging
import Foundation
import PaymentsCore

/// A payment as the client API renders it: masked recipient, every nullable field present as `null`.
struct PaymentResource: Encodable {
    let payment: Payment

    private enum Keys: String, CodingKey {
        case payment_id, client_ref, amount, currency, recipient, description, status, bank_ref, return_code
        case failure_reason, attempts, created_at, updated_at, trace_id, history
    }

    private enum RecipientKeys: String, CodingKey {
        case type, name, account_last4, routing_number, email, phone
    }

    private enum HistoryKeys: String, CodingKey {
        case status, at, source, applied, detail
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(payment.id.lowercased, forKey: .payment_id)
        try container.encode(payment.clientRef, forKey: .client_ref)
        try container.encode(payment.amount.minorUnits, forKey: .amount)
        try container.encode(payment.amount.currency.code, forKey: .currency)
        var recipient = container.nestedContainer(keyedBy: RecipientKeys.self, forKey: .recipient)
        switch payment.recipient.masked {
        case .bankAccount(let name, let last4, let routing):
            try recipient.encode("bank_account", forKey: .type)
            try recipient.encode(name, forKey: .name)
            try recipient.encode(last4, forKey: .account_last4)
            try recipient.encode(routing, forKey: .routing_number)
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
        try container.encode(payment.bankRef, forKey: .bank_ref)
        try container.encode(payment.returnCode, forKey: .return_code)
        try container.encode(payment.failureReason, forKey: .failure_reason)
        try container.encode(payment.attempts, forKey: .attempts)
        try container.encode(Timestamp.format(payment.createdAt), forKey: .created_at)
        try container.encode(Timestamp.format(payment.updatedAt), forKey: .updated_at)
        try container.encode(payment.traceID, forKey: .trace_id)
        var history = container.nestedUnkeyedContainer(forKey: .history)
        for entry in payment.history {
            var item = history.nestedContainer(keyedBy: HistoryKeys.self)
            try item.encode(entry.status.rawValue, forKey: .status)
            try item.encode(Timestamp.format(entry.at), forKey: .at)
            try item.encode(entry.source.rawValue, forKey: .source)
            try item.encode(entry.applied, forKey: .applied)
            try item.encode(entry.detail, forKey: .detail)
        }
    }
}

/// A page of payments: `{"data": [...], "next_cursor": ...}`.
struct PaymentListResource: Encodable {
    let page: PaymentPage

    private enum Keys: String, CodingKey { case data, next_cursor }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(page.payments.map(PaymentResource.init), forKey: .data)
        try container.encode(page.next?.token, forKey: .next_cursor)
    }
}
