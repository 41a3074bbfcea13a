import Foundation
import PaymentsCore
import PaymentsSupport
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
        failure_reason, attempts, trace_parent, created_at, updated_at, request_fingerprint, recipient_account_last4,
        recipient_account_index, recipient_key_id
        """

    /// One payment, with its history unless `withHistory` is false.
    ///
    /// By id with its history it is one statement (the payment joined to its history, one snapshot); the other
    /// lookups read the payment, then its history.
    func loadPayment(
        _ connection: PostgresConnection, _ lookup: PaymentLookup, withHistory: Bool = true
    ) async throws -> StoredPayment? {
        let query: PostgresQuery
        switch lookup {
        case .id(let id):
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(id)
            if withHistory {
                return try Self.decodePaymentWithHistory(
                    try await rows(connection, PostgresStatements.PaymentWithHistory.self, bindings), ring: ring)
            }
            query = "SELECT \(unescaped: Self.paymentColumns) FROM payments WHERE id = \(id)"
        case .idempotencyKey(let clientID, let key):
            query = """
                SELECT \(unescaped: Self.paymentColumns) FROM payments
                WHERE client_id = \(clientID) AND idempotency_key = \(key)
                """
        case .clientRef(let clientID, let clientRef):
            query = """
                SELECT \(unescaped: Self.paymentColumns) FROM payments
                WHERE client_id = \(clientID) AND client_ref = \(clientRef)
                """
        }
        guard let row = try await rows(connection, query).first else { return nil }
        var stored = try Self.decodePayment(row, ring: ring)
        if withHistory {
            stored.payment.history =
                try await loadHistory(connection, paymentIDs: [stored.payment.id])[stored.payment.id] ?? []
        }
        return stored
    }

    /// The history of several payments in one query, each oldest first.
    func loadHistory(_ connection: PostgresConnection, paymentIDs: [UUID]) async throws -> [UUID: [PaymentHistoryEntry]]
    {
        guard !paymentIDs.isEmpty else { return [:] }
        let rows = try await rows(
            connection,
            """
            SELECT payment_id, status, at, source, applied, detail, corrected_from FROM payment_history
            WHERE payment_id = ANY(\(paymentIDs)) ORDER BY id
            """
        )
        var history: [UUID: [PaymentHistoryEntry]] = [:]
        for row in rows {
            let cells = row.makeRandomAccess()
            let paymentID = try cells[0].decode(UUID.self)
            guard let entry = try Self.decodeHistoryEntry(cells, at: 1) else { continue }
            history[paymentID, default: []].append(entry)
        }
        return history
    }

    /// A history entry from six cells (``historyColumns``) starting at `offset`; `nil` for NULLs (no entry, from an
    /// outer join) and, like the SQLite store, for an entry this version cannot name, which is skipped rather than
    /// failing the read.
    static func decodeHistoryEntry(_ cells: PostgresRandomAccessRow, at offset: Int) throws -> PaymentHistoryEntry? {
        guard let statusText = try cells[offset].decode(String?.self) else { return nil }
        let at = try cells[offset + 1].decode(PostgresTimestamp.self)
        let sourceText = try cells[offset + 2].decode(String.self)
        let applied = try cells[offset + 3].decode(Bool.self)
        let detail = try cells[offset + 4].decode(String?.self)
        let correctedFrom = try cells[offset + 5].decode(String?.self)
        guard let status = PaymentStatus(rawValue: statusText), let source = EventSource(rawValue: sourceText) else {
            return nil
        }
        return PaymentHistoryEntry(
            status: status, at: at.date, source: source, applied: applied, detail: detail,
            correctedFrom: correctedFrom.flatMap(PaymentStatus.init(rawValue:))
        )
    }

    /// The rows of a statement that selects only ``historyColumns``, oldest first.
    static func decodeHistory(_ rows: [PostgresRow]) throws -> [PaymentHistoryEntry] {
        try rows.compactMap { try decodeHistoryEntry($0.makeRandomAccess(), at: 0) }
    }

    /// The rows of ``PostgresStatements/PaymentWithHistory``: `nil` when there are none.
    static func decodePaymentWithHistory(_ rows: [PostgresRow], ring: DataKeyRing) throws -> StoredPayment? {
        guard let first = rows.first else { return nil }
        let columns = paymentColumnCount
        var stored = try decodePayment(first.makeRandomAccess(), at: 0, ring: ring)
        stored.payment.history = try rows.compactMap { try decodeHistoryEntry($0.makeRandomAccess(), at: columns) }
        return stored
    }

    /// How many columns ``paymentColumns`` lists.
    static let paymentColumnCount = paymentColumns.split(separator: ",").count

    static func decodePayment(_ row: PostgresRow, ring: DataKeyRing) throws -> StoredPayment {
        try decodePayment(row.makeRandomAccess(), at: 0, ring: ring)
    }

    /// A payment from the ``paymentColumns`` starting at column `offset`.
    static func decodePayment(_ cells: PostgresRandomAccessRow, at offset: Int, ring: DataKeyRing) throws
        -> StoredPayment
    {
        func cell(_ index: Int) -> PostgresCell { cells[offset + index] }
        let id = try cell(0).decode(UUID.self)
        let clientID = try cell(1).decode(String.self)
        let clientRef = try cell(2).decode(String.self)
        let amountMinor = try cell(3).decode(Int64.self)
        let currencyCode = try cell(4).decode(String.self)
        let recipientType = try cell(5).decode(String.self)
        let recipientName = try cell(6).decode(String.self)
        let accountNumber = try cell(7).decode(String?.self)
        let routingNumber = try cell(8).decode(String?.self)
        let email = try cell(9).decode(String?.self)
        let phone = try cell(10).decode(String?.self)
        let description = try cell(11).decode(String?.self)
        let statusText = try cell(12).decode(String.self)
        let bankRef = try cell(13).decode(String?.self)
        let returnCode = try cell(14).decode(String?.self)
        let failureReason = try cell(15).decode(String?.self)
        let attempts = try cell(16).decode(Int.self)
        let traceParent = try cell(17).decode(String?.self)
        let createdAt = try cell(18).decode(PostgresTimestamp.self)
        let updatedAt = try cell(19).decode(PostgresTimestamp.self)
        let fingerprint = try cell(20).decode(String.self)
        let recipient = try RecipientColumns(
            type: recipientType, accountNumber: accountNumber, routingNumber: routingNumber, email: email, phone: phone,
            accountLast4: try cell(21).decode(String?.self), accountIndex: try cell(22).decode(String?.self),
            keyID: try cell(23).decode(String?.self)
        ).recipient(name: recipientName, paymentID: id, ring: ring)
        guard let currency = Currency(code: currencyCode), let recipient,
            let status = PaymentStatus(rawValue: statusText)
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

    /// The payment's row, locked for a state change (see ``PostgresStatements/LockPayment``); `nil` when there is no
    /// such payment.
    func lockPayment(_ connection: PostgresConnection, id: UUID) async throws -> Payment? {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        guard let row = try await rows(connection, PostgresStatements.LockPayment.self, bindings).first else {
            return nil
        }
        return try Self.decodePayment(row, ring: ring).payment
    }

    /// Locks the payment and runs the event through the lifecycle (see ``apply(_:event:locked:now:)``); `nil` when
    /// there is no such payment.
    func apply(
        _ connection: PostgresConnection, event: PaymentEvent, paymentID: UUID, now: Date
    ) async throws -> EventOutcome? {
        guard let current = try await lockPayment(connection, id: paymentID) else { return nil }
        return try await apply(connection, event: event, locked: current, now: now)
    }

    /// Runs one event through ``PaymentLifecycle`` on a payment whose row the caller's transaction has locked, and
    /// writes the payment, its history entry and the follow-up jobs in one statement of that transaction.
    ///
    /// The outcome's payment is what the row now holds, worked out from the locked row and the values written rather
    /// than read back (times at the column's microsecond precision), with the history that statement read under the
    /// lock plus the new entry.
    func apply(
        _ connection: PostgresConnection, event: PaymentEvent, locked current: Payment, now: Date
    ) async throws -> EventOutcome {
        let (action, note) = Self.decide(event, from: current.status)
        let at = PostgresTimestamp(now)
        let detail = PaymentEventDetail.describe(event)
        var bindings = PostgresBindings(capacity: 12)
        bindings.append(current.id)
        let history: [PaymentHistoryEntry]
        switch action {
        case .transition(let status, let followUp), .correction(_, let status, let followUp):
            bindings.append(status.rawValue)
            bindings.append(event.bankRef)
            bindings.append(event.returnCode)
            bindings.append(PaymentEventDetail.failureReason(of: event))
            bindings.append(at)
            bindings.append(event.status.rawValue)
            bindings.append(event.source.rawValue)
            bindings.append(detail)
            bindings.append(followUp.map { _ in SecureRandom.uuid() })
            bindings.append(followUp.map(\.rawValue))
            bindings.append(current.traceParent)
            bindings.append(action.correctedStatus?.rawValue)
            history = try Self.decodeHistory(try await rows(connection, PostgresStatements.Transition.self, bindings))
        case .recordOnly:
            bindings.append(event.bankRef)
            bindings.append(at)
            bindings.append(event.status.rawValue)
            bindings.append(event.source.rawValue)
            bindings.append(note)
            history = try Self.decodeHistory(try await rows(connection, PostgresStatements.RecordOnly.self, bindings))
        case .alreadyInStatus:
            // The common repeat (the bank's `processing` webhook after its answer said as much): nothing changed, so
            // nothing is rewritten; only a bank reference it lacks is kept.
            bindings.append(current.bankRef == nil ? event.bankRef : nil)
            history = try Self.decodeHistory(
                try await rows(connection, PostgresStatements.AlreadyInStatus.self, bindings))
        }
        let payment = Self.changed(
            current, by: event, action: action, note: note, detail: detail, at: at, history: history)
        return EventOutcome(payment: payment, action: action, previousStatus: current.status)
    }

    /// What ``PaymentLifecycle`` does with `event` on a payment in `status`, and the history note of an event kept
    /// without being applied.
    static func decide(_ event: PaymentEvent, from status: PaymentStatus) -> (PaymentLifecycle.Action, note: String?) {
        var lifecycle = PaymentLifecycle(status: status)
        let action = lifecycle.receive(event.status, from: event.source)
        guard case .recordOnly(let reason) = action else { return (action, nil) }
        return (action, PaymentEventDetail.notApplied(reason, event))
    }

    /// The payment as stored after `action`, worked out from the row before it and the values written (as the
    /// statements write them), rather than read back; `history` is the history before the new entry.
    static func changed(
        _ current: Payment, by event: PaymentEvent, action: PaymentLifecycle.Action, note: String?, detail: String?,
        at: PostgresTimestamp, history: [PaymentHistoryEntry]
    ) -> Payment {
        var payment = current
        payment.history = history
        switch action {
        case .transition(let status, _), .correction(_, let status, _):
            payment.status = status
            payment.bankRef = event.bankRef ?? current.bankRef
            payment.returnCode = event.returnCode ?? current.returnCode
            let reason = PaymentEventDetail.failureReason(of: event)
            payment.failureReason = action.correctedStatus == nil ? reason ?? current.failureReason : reason
            payment.updatedAt = at.date
            payment.history.append(
                PaymentHistoryEntry(
                    status: event.status, at: at.date, source: event.source, applied: true, detail: detail,
                    correctedFrom: action.correctedStatus
                )
            )
        case .recordOnly:
            payment.bankRef = current.bankRef ?? event.bankRef
            payment.updatedAt = at.date
            payment.history.append(
                PaymentHistoryEntry(
                    status: event.status, at: at.date, source: event.source, applied: false, detail: note)
            )
        case .alreadyInStatus:
            if current.bankRef == nil, let bankRef = event.bankRef { payment.bankRef = bankRef }
        }
        return payment
    }

    /// History entries from the JSON ``PostgresStatements/RecordWebhook`` returns: `[[status, microseconds, source,
    /// applied, detail, corrected_from], ...]`, oldest first; entries this version cannot name are skipped, as
    /// elsewhere.
    static func decodeHistoryJSON(_ text: String?) throws -> [PaymentHistoryEntry] {
        guard let text else { return [] }
        guard case .array(let items) = try? JSONValue(parsing: Array(text.utf8)) else {
            throw StoreError(.corrupt, debugDescription: "unreadable history")
        }
        return try items.compactMap { item in
            guard case .array(let fields) = item, fields.count == 6, case .string(let statusText) = fields[0],
                case .integer(let micros) = fields[1], case .string(let sourceText) = fields[2],
                case .bool(let applied) = fields[3], fields[4] == .null || fields[4].stringValue != nil,
                fields[5] == .null || fields[5].stringValue != nil
            else { throw StoreError(.corrupt, debugDescription: "unreadable history entry") }
            guard let status = PaymentStatus(rawValue: statusText), let source = EventSource(rawValue: sourceText)
            else {
                return nil
            }
            return PaymentHistoryEntry(
                status: status, at: Date(microseconds: micros), source: source, applied: applied,
                detail: fields[4].stringValue,
                correctedFrom: fields[5].stringValue.flatMap(PaymentStatus.init(rawValue:))
            )
        }
    }
}
