import Foundation
import Logging
import PaymentsCore
import PaymentsSupport

/// The ``PaymentStore`` on a SQLite file: the embedded default, for one process.
public final class SQLitePaymentStore: PaymentStore {
    let database: SQLiteDatabase
    /// Seals and opens recipient identifiers.
    let ring: DataKeyRing

    /// Opens (creating if needed) the database file. Its folder is created too.
    public init(path: String, ring: DataKeyRing) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        database = try SQLiteDatabase(path: path)
        self.ring = ring
    }

    public func migrate() async throws {
        try await database.write { db in
            try db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
            )
        }
        for migration in SQLiteMigrations.all {
            // Each migration in its own IMMEDIATE transaction: a second process migrating at the same time waits,
            // then sees the version applied and skips it.
            try await database.write { db in
                let applied = try db.query(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", [.int(migration.version)])
                guard applied.isEmpty else { return }
                for statement in migration.statements { try db.execute(statement) }
                try db.query(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    [.int(migration.version), .text(migration.name), .integer(Date().microseconds)]
                )
            }
        }
        try await sealLegacyRecipients()
    }

    public func checkReady() async throws {
        let latest = SQLiteMigrations.all.last?.version ?? 0
        let version = try await database.read { db in
            try db.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").first?.int(0) ?? 0
        }
        guard version >= latest else {
            throw StoreError(.corrupt, debugDescription: "schema version \(version), expected \(latest)")
        }
    }

    public func create(_ new: NewPayment) async throws -> PaymentCreation {
        let fingerprint = ring.fingerprint(new.request)
        let recipient = RecipientColumns(new.request.recipient, paymentID: new.id, ring: ring)
        let ring = ring
        return try await database.write { db in
            if let key = new.idempotencyKey,
                let existing = try Self.loadPayment(
                    db, where: "client_id = ? AND idempotency_key = ?", [.text(new.clientID), .text(key)], ring: ring
                )
            {
                return existing.fingerprint == fingerprint ? .replayed(existing.payment) : .conflict(.idempotencyKey)
            }
            if let existing = try Self.loadPayment(
                db, where: "client_id = ? AND client_ref = ?", [.text(new.clientID), .text(new.request.clientRef)],
                ring: ring
            ) {
                return existing.fingerprint == fingerprint ? .replayed(existing.payment) : .conflict(.clientRef)
            }
            let now = new.createdAt.microseconds
            let id = new.id.lowercased
            let request = new.request
            try db.query(
                """
                INSERT INTO payments (id, client_id, client_ref, idempotency_key, request_fingerprint, amount_minor,
                    currency, recipient_type, recipient_name, recipient_account_number, recipient_routing_number,
                    recipient_email, recipient_phone, description, status, attempts, trace_parent, created_at, updated_at,
                    recipient_account_last4, recipient_account_index, recipient_key_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'initiated', 0, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(id), .text(new.clientID), .text(request.clientRef), .optional(new.idempotencyKey),
                    .text(fingerprint), .integer(request.amount.minorUnits), .text(request.amount.currency.code),
                    .text(recipient.type), .text(request.recipient.name), .optional(recipient.accountNumber),
                    .optional(recipient.routingNumber), .optional(recipient.email), .optional(recipient.phone),
                    .optional(request.description), .optional(new.traceParent),
                    .integer(now), .integer(now), .optional(recipient.accountLast4), .optional(recipient.accountIndex),
                    .optional(recipient.keyID),
                ]
            )
            try Self.insertHistory(
                db, paymentID: id, status: .initiated, source: .api, applied: true, detail: nil, at: now)
            try Self.insertJob(db, kind: .submit, paymentID: id, traceParent: new.traceParent, at: now)
            guard let created = try Self.loadPayment(db, where: "id = ?", [.text(id)], ring: ring) else {
                throw StoreError(.corrupt, debugDescription: "inserted payment not found")
            }
            return .created(created.payment)
        }
    }

    public func payment(id: UUID) async throws -> Payment? {
        let ring = ring
        return try await database.read { db in
            try Self.loadPayment(db, where: "id = ?", [.text(id.lowercased)], ring: ring)?.payment
        }
    }

    public func payments(_ query: PaymentQuery) async throws -> PaymentPage {
        try await database.read { db in
            var conditions = ["client_id = ?"]
            var parameters: [SQLiteValue] = [.text(query.clientID)]
            if let clientRef = query.clientRef {
                conditions.append("client_ref = ?")
                parameters.append(.text(clientRef))
            }
            if let status = query.status {
                conditions.append("status = ?")
                parameters.append(.text(status.rawValue))
            }
            if let cursor = query.after {
                conditions.append("(created_at < ? OR (created_at = ? AND id < ?))")
                parameters += [
                    .integer(cursor.createdAtMicros), .integer(cursor.createdAtMicros), .text(cursor.id.lowercased),
                ]
            }
            let limit = max(1, min(query.limit, 100))
            parameters.append(.int(limit + 1))
            let rows = try db.query(
                "SELECT \(Self.paymentColumns) FROM payments WHERE \(conditions.joined(separator: " AND ")) ORDER BY created_at DESC, id DESC LIMIT ?",
                parameters
            )
            var payments = try rows.prefix(limit).map { try Self.decodePayment($0, ring: self.ring).payment }
            for index in payments.indices {
                payments[index].history = try Self.loadHistory(db, paymentID: payments[index].id.lowercased)
            }
            var next: PaymentCursor?
            if rows.count > limit, let last = payments.last {
                next = PaymentCursor(createdAtMicros: last.createdAt.microseconds, id: last.id)
            }
            return PaymentPage(payments: payments, next: next)
        }
    }

    public func recordWebhook(_ event: WebhookEvent, receivedAt: Date) async throws -> WebhookRecording {
        try await database.write { db in
            let paymentID = event.paymentID.lowercased
            let known = try !db.query("SELECT 1 FROM payments WHERE id = ?", [.text(paymentID)]).isEmpty
            try db.query(
                """
                INSERT INTO webhook_events (event_id, payment_id, known_payment, status, bank_ref, return_code, reason,
                    occurred_at, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING
                """,
                [
                    .text(event.eventID), .text(paymentID), .int(known ? 1 : 0), .text(event.status.rawValue),
                    .optional(event.bankRef), .optional(event.returnCode), .optional(event.reason),
                    .integer(event.occurredAt.microseconds), .integer(receivedAt.microseconds),
                ]
            )
            guard db.changes == 1 else { return .duplicate }
            guard known,
                let outcome = try Self.apply(
                    db, event: event.paymentEvent, paymentID: paymentID, now: receivedAt, ring: self.ring)
            else { return .unknownPayment }
            return .recorded(outcome)
        }
    }

    public func apply(_ event: PaymentEvent, to paymentID: UUID, now: Date) async throws -> EventOutcome? {
        try await database.write { db in
            try Self.apply(db, event: event, paymentID: paymentID.lowercased, now: now, ring: self.ring)
        }
    }

    public func claimJob(kinds: Set<JobKind>, now: Date, lease: Duration) async throws -> Job? {
        let kindValues = kinds.map(\.rawValue).sorted()
        let placeholders = Array(repeating: "?", count: kindValues.count).joined(separator: ", ")
        return try await database.write { db in
            let nowMicros = now.microseconds
            // Running work whose worker stopped renewing its lease (a crash) first, then queued work that is due:
            // each through its own partial index, since the table also keeps finished jobs for their retention.
            let columns = "id, kind, payment_id, attempts, created_at, trace_parent"
            let kindParameters = kindValues.map(SQLiteValue.text) + [.integer(nowMicros)]
            let expired = try db.query(
                """
                SELECT \(columns) FROM jobs WHERE state = 'running' AND kind IN (\(placeholders))
                  AND lease_expires_at <= ? ORDER BY lease_expires_at LIMIT 1
                """, kindParameters)
            let rows =
                expired.isEmpty
                ? try db.query(
                    """
                    SELECT \(columns) FROM jobs WHERE state = 'queued' AND kind IN (\(placeholders))
                      AND run_at <= ? ORDER BY run_at LIMIT 1
                    """, kindParameters) : expired
            guard let row = rows.first else { return nil }
            guard let kind = JobKind(rawValue: row.text(1)), let id = UUID(uuidString: row.text(0)),
                let paymentID = UUID(uuidString: row.text(2))
            else { throw StoreError(.corrupt, debugDescription: "unreadable job row") }
            let token = SecureRandom.uuid()
            let attempts = Int(row.int(3)) + 1
            try db.query(
                "UPDATE jobs SET state = 'running', attempts = ?, lease_token = ?, lease_expires_at = ?, updated_at = ? WHERE id = ?",
                [
                    .int(attempts), .text(token.lowercased), .integer(nowMicros + lease.wholeMicroseconds),
                    .integer(nowMicros), .text(row.text(0)),
                ]
            )
            if kind == .submit {
                try db.query("UPDATE payments SET attempts = ? WHERE id = ?", [.int(attempts), .text(row.text(2))])
            }
            return Job(
                id: id, kind: kind, paymentID: paymentID, attempts: attempts, leaseToken: token,
                createdAt: Date(microseconds: row.int(4)), traceParent: row.optionalText(5)
            )
        }
    }

    public func finish(_ job: Job, result: JobResult, event: PaymentEvent?, now: Date) async throws -> EventOutcome? {
        try await database.write { db in
            try Self.checkLease(db, job)
            try db.query(
                "UPDATE jobs SET state = ?, result = ?, lease_token = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?",
                [.text(result.state), .optional(result.note), .integer(now.microseconds), .text(job.id.lowercased)]
            )
            guard let event else { return nil }
            return try Self.apply(db, event: event, paymentID: job.paymentID.lowercased, now: now, ring: self.ring)
        }
    }

    public func reschedule(_ job: Job, runAt: Date, error: String, refundAttempt: Bool, now: Date) async throws {
        try await database.write { db in
            try Self.checkLease(db, job)
            let refund: Int64 = refundAttempt ? 1 : 0
            try db.query(
                """
                UPDATE jobs SET state = 'queued', run_at = ?, last_error = ?, attempts = attempts - ?, lease_token = NULL,
                    lease_expires_at = NULL, updated_at = ? WHERE id = ?
                """,
                [
                    .integer(runAt.microseconds), .text(error), .integer(refund), .integer(now.microseconds),
                    .text(job.id.lowercased),
                ]
            )
            if refundAttempt && job.kind == .submit {
                try db.query(
                    "UPDATE payments SET attempts = attempts - 1 WHERE id = ? AND attempts > 0",
                    [.text(job.paymentID.lowercased)]
                )
            }
        }
    }

    public func queueStats(now: Date) async throws -> [JobKind: JobQueueStats] {
        try await database.read { db in
            var stats = JobQueue.empty
            for row in try db.query(JobQueue.stats) {
                JobQueue.add(
                    kind: row.text(0), count: Int(row.int(1)), oldest: Date(microseconds: row.int(2)), now: now,
                    to: &stats)
            }
            return stats
        }
    }

    public func deleteFinishedJobs(finishedBefore: Date, limit: Int) async throws -> Int {
        try await database.write { db in
            try db.query(
                """
                DELETE FROM jobs WHERE id IN (
                    SELECT id FROM jobs WHERE state IN \(JobQueue.finishedStates) AND updated_at < ?
                    ORDER BY updated_at LIMIT ?)
                """,
                [.integer(finishedBefore.microseconds), .int(max(1, limit))])
            return db.changes
        }
    }

    // MARK: - Inside a transaction

    private static func checkLease(_ db: SQLiteConnection, _ job: Job) throws {
        let rows = try db.query(
            "SELECT 1 FROM jobs WHERE id = ? AND state = 'running' AND lease_token = ?",
            [.text(job.id.lowercased), .text(job.leaseToken.lowercased)]
        )
        guard !rows.isEmpty else {
            throw StoreError(.leaseLost, debugDescription: "job \(job.id) is no longer leased to this worker")
        }
    }

    private static func apply(
        _ db: SQLiteConnection, event: PaymentEvent, paymentID: String, now: Date, ring: DataKeyRing
    ) throws -> EventOutcome? {
        guard let current = try loadPayment(db, where: "id = ?", [.text(paymentID)], ring: ring)?.payment else {
            return nil
        }
        var lifecycle = PaymentLifecycle(status: current.status)
        let action = lifecycle.receive(event.status, from: event.source)
        let nowMicros = now.microseconds
        let detail = PaymentEventDetail.describe(event)
        switch action {
        case .transition(let status, let followUp), .correction(_, let status, let followUp):
            let correctedFrom = action.correctedStatus
            // A correction replaces the failure reason (the payment did not fail); a transition keeps an earlier one.
            try db.query(
                """
                UPDATE payments SET status = ?, bank_ref = COALESCE(?, bank_ref), return_code = COALESCE(?, return_code),
                    failure_reason = CASE WHEN ? THEN ? ELSE COALESCE(?, failure_reason) END, updated_at = ?,
                    reconcile_after = NULL
                WHERE id = ?
                """,
                [
                    .text(status.rawValue), .optional(event.bankRef), .optional(event.returnCode),
                    .int(correctedFrom == nil ? 0 : 1), .optional(PaymentEventDetail.failureReason(of: event)),
                    .optional(PaymentEventDetail.failureReason(of: event)), .integer(nowMicros), .text(paymentID),
                ]
            )
            try insertHistory(
                db, paymentID: paymentID, status: event.status, source: event.source, applied: true, detail: detail,
                at: nowMicros, correctedFrom: correctedFrom)
            for kind in followUp {
                try insertJob(db, kind: kind, paymentID: paymentID, traceParent: current.traceParent, at: nowMicros)
            }
        case .recordOnly(let reason):
            try db.query(
                "UPDATE payments SET bank_ref = COALESCE(bank_ref, ?), updated_at = ? WHERE id = ?",
                [.optional(event.bankRef), .integer(nowMicros), .text(paymentID)]
            )
            let note = PaymentEventDetail.notApplied(reason, event)
            try insertHistory(
                db, paymentID: paymentID, status: event.status, source: event.source, applied: false, detail: note,
                at: nowMicros)
        case .alreadyInStatus:
            try db.query(
                "UPDATE payments SET bank_ref = COALESCE(bank_ref, ?) WHERE id = ?",
                [.optional(event.bankRef), .text(paymentID)]
            )
        }
        guard let updated = try loadPayment(db, where: "id = ?", [.text(paymentID)], ring: ring)?.payment else {
            return nil
        }
        return EventOutcome(payment: updated, action: action, previousStatus: current.status)
    }

    private static func insertHistory(
        _ db: SQLiteConnection, paymentID: String, status: PaymentStatus, source: EventSource, applied: Bool,
        detail: String?, at: Int64, correctedFrom: PaymentStatus? = nil
    ) throws {
        try db.query(
            """
            INSERT INTO payment_history (payment_id, status, source, applied, detail, at, corrected_from)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(paymentID), .text(status.rawValue), .text(source.rawValue), .int(applied ? 1 : 0),
                .optional(detail), .integer(at), .optional(correctedFrom?.rawValue),
            ]
        )
    }

    private static func insertJob(
        _ db: SQLiteConnection, kind: JobKind, paymentID: String, traceParent: String?, at: Int64
    ) throws {
        try db.query(
            """
            INSERT INTO jobs (id, kind, payment_id, state, attempts, run_at, trace_parent, created_at, updated_at)
            VALUES (?, ?, ?, 'queued', 0, ?, ?, ?, ?)
            """,
            [
                .text(SecureRandom.uuid().lowercased), .text(kind.rawValue), .text(paymentID), .integer(at),
                .optional(traceParent), .integer(at), .integer(at),
            ]
        )
    }

    static let paymentColumns = """
        id, client_id, client_ref, amount_minor, currency, recipient_type, recipient_name, recipient_account_number,
        recipient_routing_number, recipient_email, recipient_phone, description, status, bank_ref, return_code,
        failure_reason, attempts, trace_parent, created_at, updated_at, request_fingerprint, recipient_account_last4,
        recipient_account_index, recipient_key_id
        """

    static func loadPayment(
        _ db: SQLiteConnection, where condition: String, _ parameters: [SQLiteValue], ring: DataKeyRing
    ) throws -> (payment: Payment, fingerprint: String)? {
        let rows = try db.query("SELECT \(paymentColumns) FROM payments WHERE \(condition)", parameters)
        guard let row = rows.first else { return nil }
        var decoded = try decodePayment(row, ring: ring)
        decoded.payment.history = try loadHistory(db, paymentID: row.text(0))
        return decoded
    }

    static func decodePayment(_ row: SQLiteRow, ring: DataKeyRing) throws -> (payment: Payment, fingerprint: String) {
        guard let id = UUID(uuidString: row.text(0)) else {
            throw StoreError(.corrupt, debugDescription: "unreadable payment id")
        }
        let recipient = try recipientColumns(row).recipient(name: row.text(6), paymentID: id, ring: ring)
        guard let currency = Currency(code: row.text(4)), let recipient,
            let status = PaymentStatus(rawValue: row.text(12))
        else { throw StoreError(.corrupt, debugDescription: "unreadable payment row") }
        let payment = Payment(
            id: id, clientID: row.text(1), clientRef: row.text(2),
            amount: Money(minorUnits: row.int(3), currency: currency), recipient: recipient,
            description: row.optionalText(11), status: status, bankRef: row.optionalText(13),
            returnCode: row.optionalText(14), failureReason: row.optionalText(15), attempts: Int(row.int(16)),
            createdAt: Date(microseconds: row.int(18)), updatedAt: Date(microseconds: row.int(19)),
            traceParent: row.optionalText(17)
        )
        return (payment, row.text(20))
    }

    /// The recipient columns of a row read with ``paymentColumns``.
    static func recipientColumns(_ row: SQLiteRow) -> RecipientColumns {
        RecipientColumns(
            type: row.text(5), accountNumber: row.optionalText(7), routingNumber: row.optionalText(8),
            email: row.optionalText(9), phone: row.optionalText(10), accountLast4: row.optionalText(21),
            accountIndex: row.optionalText(22), keyID: row.optionalText(23))
    }

    private static func loadHistory(_ db: SQLiteConnection, paymentID: String) throws -> [PaymentHistoryEntry] {
        try db.query(
            "SELECT status, at, source, applied, detail, corrected_from FROM payment_history WHERE payment_id = ? ORDER BY id",
            [.text(paymentID)]
        ).compactMap { row in
            guard let status = PaymentStatus(rawValue: row.text(0)), let source = EventSource(rawValue: row.text(2))
            else {
                return nil
            }
            return PaymentHistoryEntry(
                status: status, at: Date(microseconds: row.int(1)), source: source, applied: row.int(3) == 1,
                detail: row.optionalText(4), correctedFrom: row.optionalText(5).flatMap(PaymentStatus.init(rawValue:))
            )
        }
    }
}
