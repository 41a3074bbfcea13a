import Foundation
import PaymentsCore
import PaymentsSupport
import PostgresNIO

/// The values ``PostgresStatements/CreatePayment`` inserts for one new payment, bound as one row or, with others,
/// as the columns of ``PostgresStatements/CreatePayments``.
struct PostgresNewPaymentRow: Sendable {
    var id: UUID
    var clientID: String
    var clientRef: String
    var idempotencyKey: String?
    var fingerprint: String
    var amountMinor: Int64
    var currency: String
    var recipient: RecipientColumns
    var recipientName: String
    var description: String?
    var traceParent: String?
    var createdAt: PostgresTimestamp
    var jobID: UUID

    init(_ new: NewPayment, ring: DataKeyRing) {
        let request = new.request
        id = new.id
        clientID = new.clientID
        clientRef = request.clientRef
        idempotencyKey = new.idempotencyKey
        fingerprint = ring.fingerprint(request)
        amountMinor = request.amount.minorUnits
        currency = request.amount.currency.code
        recipient = RecipientColumns(request.recipient, paymentID: new.id, ring: ring)
        recipientName = request.recipient.name
        description = request.description
        traceParent = new.traceParent
        createdAt = PostgresTimestamp(new.createdAt)
        jobID = SecureRandom.uuid()
    }

    /// `$1` to `$20` of ``PostgresStatements/CreatePayment``.
    var bindings: PostgresBindings {
        var bindings = PostgresBindings(capacity: 20)
        bindings.append(id)
        bindings.append(clientID)
        bindings.append(clientRef)
        bindings.append(idempotencyKey)
        bindings.append(fingerprint)
        bindings.append(amountMinor)
        bindings.append(currency)
        bindings.append(recipient.type)
        bindings.append(recipientName)
        bindings.append(recipient.accountNumber)
        bindings.append(recipient.routingNumber)
        bindings.append(recipient.email)
        bindings.append(recipient.phone)
        bindings.append(description)
        bindings.append(traceParent)
        bindings.append(createdAt)
        bindings.append(jobID)
        bindings.append(recipient.accountLast4)
        bindings.append(recipient.accountIndex)
        bindings.append(recipient.keyID)
        return bindings
    }

    /// `$1` to `$20` of ``PostgresStatements/CreatePayments``: each column of `rows` as an array, in the same order.
    static func batchBindings(_ rows: [PostgresNewPaymentRow]) -> PostgresBindings {
        func text(_ column: (PostgresNewPaymentRow) -> String?) -> PostgresNullableTextArray {
            PostgresNullableTextArray(rows.map(column))
        }
        var bindings = PostgresBindings(capacity: 20)
        bindings.append(rows.map(\.id))
        bindings.append(text { $0.clientID })
        bindings.append(text { $0.clientRef })
        bindings.append(text { $0.idempotencyKey })
        bindings.append(text { $0.fingerprint })
        bindings.append(rows.map(\.amountMinor))
        bindings.append(text { $0.currency })
        bindings.append(text { $0.recipient.type })
        bindings.append(text { $0.recipientName })
        bindings.append(text { $0.recipient.accountNumber })
        bindings.append(text { $0.recipient.routingNumber })
        bindings.append(text { $0.recipient.email })
        bindings.append(text { $0.recipient.phone })
        bindings.append(text { $0.description })
        bindings.append(text { $0.traceParent })
        bindings.append(rows.map(\.createdAt))
        bindings.append(rows.map(\.jobID))
        bindings.append(text { $0.recipient.accountLast4 })
        bindings.append(text { $0.recipient.accountIndex })
        bindings.append(text { $0.recipient.keyID })
        return bindings
    }
}
