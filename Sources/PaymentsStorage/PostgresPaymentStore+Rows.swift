import Foundation
import PaymentsCore
import PostgresNIO

/// Statements and row decoding shared by the store's operations. Each runs inside the caller's transaction.
extension PostgresPaymentStore {
    /// How a payment is looked up.
    enum PaymentLookup: Sendable {
        case id(UUID)
        case idempotencyKey(clientID: String, key: String)
        case clientRef(clientID: String, clientRef: String)
    }

    /// A payment row with the fingerprint of the request that created it.
    struct StoredPayment: Sendable {
        var payment: Payment
        var fingerprint: String
    }

    /// The columns ``decodePayment(_:)`` reads, in its order (the same list as the SQLite store).
    static let paymentColumns = """
        id, client_id, client_ref, amount_minor, currency, recipient_type, recipient_name, recipient_account_number,
        recipient_routing_number, recipient_email, recipient_phone, description, status, bank_ref, return_code,
        failure_reason, attempts, trace_parent, created_at, updated_at, request_fingerprint
        """

    /// One payment, with its history unless `withHistory` is false.
    ///
    /// `lock` takes the row lock a state change needs: `FOR NO KEY UPDATE` serialises every writer of the payment
    /// like `FOR UPDATE` would, but, since we never change a payment's id, it does not wait for (nor block) the
    /// key-share locks that inserting history and job rows takes on the referenced payment.
    func loadPayment(
        _ connection: PostgresConnection, _ lookup: PaymentLookup, lock: Bool = false, withHistory: Bool = true
    ) async throws -> StoredPayment? {
        let locking = lock ? " FOR NO KEY UPDATE" : ""
        let query: PostgresQuery
        switch lookup {
        case .id(let id):
            query = "SELECT \(unescaped: Self.paymentColumns) FROM payments WHERE id = \(id)\(unescaped: locking)"
        case .idempotencyKey(let clientID, let key):
            query = """
                SELECT \(unescaped: Self.paymentColumns) FROM payments
                WHERE client_id = \(clientID) AND idempotency_key = \(key)\(unescaped: locking)
                """
        case .clientRef(let clientID, let clientRef):
            query = """
                SELECT \(unescaped: Self.paymentColumns) FROM payments
                WHERE client_id = \(clientID) AND client_ref = \(clientRef)\(unescaped: locking)
                """
        }
        guard let row = try await rows(connection, query).first else { return nil }
        var stored = try Self.decodePayment(row)
        if withHistory {
            stored.payment.history = try await loadHistory(connection, paymentIDs: [stored.payment.id])[stored.payment.id] ?? []
        }
        return stored
    }

    /// The history of several payments in one query, each oldest first.
    func loadHistory(_ connection: PostgresConnection, paymentIDs: [UUID]) async throws -> [UUID: [PaymentHistoryEntry]] {
        guard !paymentIDs.isEmpty else { return [:] }
        let rows = try await rows(
            connection,
            """
            SELECT payment_id, status, at, source, applied, detail FROM payment_history
            WHERE payment_id = ANY(\(paymentIDs)) ORDER BY id
            """
        )
        var history: [UUID: [PaymentHistoryEntry]] = [:]
        for row in rows {
            let (paymentID, statusText, at, sourceText, applied, detail) = try row.decode(
                (UUID, String, PostgresTimestamp, String, Bool, String?).self
            )
            // Like the SQLite store: an entry this version cannot name is skipped rather than failing the read.
            guard let status = PaymentStatus(rawValue: statusText), let source = EventSource(rawValue: sourceText) else {
                continue
            }
            history[paymentID, default: []].append(
                PaymentHistoryEntry(status: status, at: at.date, source: source, applied: applied, detail: detail)
            )
        }
        return history
    }

    static func decodePayment(_ row: PostgresRow) throws -> StoredPayment {
        let (
            id, clientID, clientRef, amountMinor, currencyCode, recipientType, recipientName, accountNumber,
            routingNumber, email, phone, description, statusText, bankRef, returnCode, failureReason, attempts,
            traceParent, createdAt, updatedAt, fingerprint
        ) = try row.decode(
            (
                UUID, String, String, Int64, String, String, String, String?, String?, String?, String?, String?,
                String, String?, String?, String?, Int, String?, PostgresTimestamp, PostgresTimestamp, String
            ).self
        )
        let recipient: Recipient?
        switch recipientType {
        case "bank_account":
            recipient = routingNumber.flatMap(RoutingNumber.init).map {
                .bankAccount(name: recipientName, accountNumber: accountNumber ?? "", routingNumber: $0)
            }
        case "zelle":
            if let email {
                recipient = .zelle(name: recipientName, token: .email(email))
            } else {
                recipient = .zelle(name: recipientName, token: .phone(phone ?? ""))
            }
        default:
            recipient = nil
        }
        guard let currency = Currency(code: currencyCode), let recipient, let status = PaymentStatus(rawValue: statusText)
        else { throw StoreError(.corrupt, debugDescription: "unreadable payment row") }
        let payment = Payment(
            id: id, clientID: clientID, clientRef: clientRef,
            amount: Money(minorUnits: amountMinor, currency: currency), recipient: recipient,
            description: description, status: status, bankRef: bankRef, returnCode: returnCode,
            failureReason: failureReason, attempts: attempts, createdAt: createdAt.date, updatedAt: updatedAt.date,
            traceParent: traceParent
        )
        return StoredPayment(payment: payment, fingerprint: fingerprint)
    }

    func insertHistory(
        _ connection: PostgresConnection, paymentID: UUID, status: PaymentStatus, source: EventSource, applied: Bool,
        detail: String?, at: PostgresTimestamp
    ) async throws {
        try await execute(
            connection,
            """
            INSERT INTO payment_history (payment_id, status, source, applied, detail, at)
            VALUES (\(paymentID), \(status.rawValue), \(source.rawValue), \(applied), \(detail), \(at))
            """
        )
    }

    func insertJob(
        _ connection: PostgresConnection, kind: JobKind, paymentID: UUID, traceParent: String?, at: PostgresTimestamp
    ) async throws {
        try await execute(
            connection,
            """
            INSERT INTO jobs (id, kind, payment_id, state, attempts, run_at, trace_parent, created_at, updated_at)
            VALUES (\(UUID()), \(kind.rawValue), \(paymentID), 'queued', 0, \(at), \(traceParent), \(at), \(at))
            """
        )
    }

    /// Runs one event through ``PaymentLifecycle`` with the payment row locked, and writes the payment, its history
    /// entry and the follow-up jobs in the caller's transaction. `nil` when there is no such payment.
    func apply(
        _ connection: PostgresConnection, event: PaymentEvent, paymentID: UUID, now: Date
    ) async throws -> EventOutcome? {
        guard let current = try await loadPayment(connection, .id(paymentID), lock: true, withHistory: false)?.payment
        else { return nil }
        var lifecycle = PaymentLifecycle(status: current.status)
        let action = lifecycle.receive(event.status)
        let at = PostgresTimestamp(now)
        let detail = PaymentEventDetail.describe(event)
        switch action {
        case .transition(let status, let followUp):
            let failureReason = status == .failed || status == .returned ? event.reason : nil
            try await execute(
                connection,
                """
                UPDATE payments SET status = \(status.rawValue), bank_ref = COALESCE(\(event.bankRef), bank_ref),
                    return_code = COALESCE(\(event.returnCode), return_code),
                    failure_reason = COALESCE(\(failureReason), failure_reason), updated_at = \(at)
                WHERE id = \(paymentID)
                """
            )
            try await insertHistory(
                connection, paymentID: paymentID, status: event.status, source: event.source, applied: true,
                detail: detail, at: at
            )
            for kind in followUp {
                try await insertJob(connection, kind: kind, paymentID: paymentID, traceParent: current.traceParent, at: at)
            }
        case .recordOnly(let reason):
            try await execute(
                connection,
                "UPDATE payments SET bank_ref = COALESCE(bank_ref, \(event.bankRef)), updated_at = \(at) WHERE id = \(paymentID)"
            )
            let note = "not applied: \(reason.rawValue)" + (detail.map { "; \($0)" } ?? "")
            try await insertHistory(
                connection, paymentID: paymentID, status: event.status, source: event.source, applied: false,
                detail: note, at: at
            )
        case .alreadyInStatus:
            // The common repeat (the bank's `processing` webhook after its answer said as much): nothing changed, so
            // nothing is rewritten and the payment is not read back; only a bank reference it lacks is kept.
            var payment = current
            if payment.bankRef == nil, let bankRef = event.bankRef {
                try await execute(
                    connection, "UPDATE payments SET bank_ref = \(bankRef) WHERE id = \(paymentID) AND bank_ref IS NULL"
                )
                payment.bankRef = bankRef
            }
            payment.history = try await loadHistory(connection, paymentIDs: [paymentID])[paymentID] ?? []
            return EventOutcome(payment: payment, action: action, previousStatus: current.status)
        }
        guard let updated = try await loadPayment(connection, .id(paymentID))?.payment else { return nil }
        return EventOutcome(payment: updated, action: action, previousStatus: current.status)
    }
}

/// The recipient as the `payments` table spreads it over columns.
struct PostgresRecipientColumns {
    var type: String
    var accountNumber: String?
    var routingNumber: String?
    var email: String?
    var phone: String?

    init(_ recipient: Recipient) {
        switch recipient {
        case .bankAccount(_, let accountNumber, let routingNumber):
            type = "bank_account"
            self.accountNumber = accountNumber
            self.routingNumber = routingNumber.digits
        case .zelle(_, .email(let address)):
            type = "zelle"
            email = address
        case .zelle(_, .phone(let number)):
            type = "zelle"
            phone = number
        }
    }
}
