import Foundation
import Logging
import PaymentsCore
import PostgresNIO

/// The ``PaymentStore`` on PostgreSQL, for several instances sharing one database.
///
/// It behaves exactly like ``SQLitePaymentStore`` (one contract test suite runs against both); what differs is how
/// concurrent processes are kept apart: inserts that may race use `ON CONFLICT DO NOTHING`, state changes lock the
/// payment row, job claims use `FOR UPDATE SKIP LOCKED`, and migrations take an advisory lock.
///
/// Every method is one transaction bounded by `operationTimeout`: when the database is down or hung it throws
/// ``StoreError/Code/unavailable`` within that time instead of holding the caller.
///
/// ```swift
/// let configuration = try PostgresStoreConfiguration(url: databaseURL)
/// let client = PostgresClient(configuration: configuration.clientConfiguration, backgroundLogger: logger)
/// // `client.run()` must be running (in the service group, before the workers and the HTTP server).
/// let store = PostgresPaymentStore(client: client, logger: logger)
/// try await store.migrate()
/// ```
public final class PostgresPaymentStore: PaymentStore {
    let client: PostgresClient
    let logger: Logger
    let operationTimeout: Duration
    let migrationTimeout: Duration

    /// Creates a store on a client whose `run()` the caller runs.
    ///
    /// - Parameters:
    ///   - client: The connection pool. The store never runs or shuts it down.
    ///   - logger: Receives postgres-nio's query logs and the store's failures (never parameter values).
    ///   - operationTimeout: The deadline of every operation, connection wait included.
    ///   - migrationTimeout: The deadline of each migration in ``migrate()``, which may wait for another instance's
    ///     migration and may rewrite large tables.
    public init(
        client: PostgresClient, logger: Logger, operationTimeout: Duration = .seconds(2),
        migrationTimeout: Duration = .seconds(30)
    ) {
        self.client = client
        self.logger = logger
        self.operationTimeout = operationTimeout
        self.migrationTimeout = migrationTimeout
    }

    public func migrate() async throws {
        for migration in PostgresMigrations.all {
            // One transaction per migration, serialised across instances by the advisory lock: a second instance
            // waits, then sees the version recorded and skips it. DDL is transactional in PostgreSQL, so a failed
            // migration leaves nothing behind.
            try await transaction("migrate to version \(migration.version)", timeout: migrationTimeout) { connection in
                try await self.execute(connection, "SELECT pg_advisory_xact_lock(\(PostgresMigrations.advisoryLockKey))")
                try await self.execute(connection, PostgresQuery(unsafeSQL: PostgresMigrations.createVersionTable))
                let version = Int32(migration.version)
                let applied = try await self.rows(connection, "SELECT 1 FROM schema_migrations WHERE version = \(version)")
                guard applied.isEmpty else { return }
                for statement in migration.statements {
                    try await self.execute(connection, PostgresQuery(unsafeSQL: statement))
                }
                try await self.execute(
                    connection,
                    """
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(version), \(migration.name), \(PostgresTimestamp(Date())))
                    """
                )
            }
        }
    }

    public func checkReady() async throws {
        let latest = PostgresMigrations.all.last?.version ?? 0
        let version = try await transaction("checkReady", readOnly: true) { connection in
            let rows = try await self.rows(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            return try rows.first?.decode(Int.self) ?? 0
        }
        guard version >= latest else {
            throw StoreError(.corrupt, debugDescription: "schema version \(version), expected \(latest)")
        }
    }

    public func create(_ new: NewPayment) async throws -> PaymentCreation {
        let fingerprint = new.request.fingerprint
        let request = new.request
        let recipient = PostgresRecipientColumns(request.recipient)
        let now = PostgresTimestamp(new.createdAt)
        // The common case, a new payment, is one statement: the payment, its history entry and its submit job are
        // inserted by data-modifying CTEs, which PostgreSQL runs atomically (one round trip, no BEGIN/COMMIT). The
        // unique constraints decide between racing requests: a conflicting insert waits for the other transaction
        // and then inserts nothing, and neither does the rest of the statement.
        let inserted = try await statement("create") { connection in
            try await self.rows(
                connection,
                """
                WITH inserted AS (
                    INSERT INTO payments (id, client_id, client_ref, idempotency_key, request_fingerprint, amount_minor,
                        currency, recipient_type, recipient_name, recipient_account_number, recipient_routing_number,
                        recipient_email, recipient_phone, description, status, attempts, trace_parent, created_at,
                        updated_at)
                    VALUES (\(new.id), \(new.clientID), \(request.clientRef), \(new.idempotencyKey), \(fingerprint),
                        \(request.amount.minorUnits), \(request.amount.currency.code), \(recipient.type),
                        \(request.recipient.name), \(recipient.accountNumber), \(recipient.routingNumber),
                        \(recipient.email), \(recipient.phone), \(request.description), 'initiated', 0, \(new.traceParent),
                        \(now), \(now))
                    ON CONFLICT DO NOTHING
                    RETURNING id
                ), history AS (
                    INSERT INTO payment_history (payment_id, status, source, applied, detail, at)
                    SELECT id, 'initiated', 'api', true, NULL, \(now) FROM inserted
                ), job AS (
                    INSERT INTO jobs (id, kind, payment_id, state, attempts, run_at, trace_parent, created_at, updated_at)
                    SELECT \(UUID()), 'submit', id, 'queued', 0, \(now), \(new.traceParent), \(now), \(now) FROM inserted
                )
                SELECT id FROM inserted
                """
            )
        }
        if !inserted.isEmpty {
            // What the row now holds, without reading it back (times at the column's microsecond precision).
            let created = now.date
            return .created(
                Payment(
                    id: new.id, clientID: new.clientID, clientRef: request.clientRef, amount: request.amount,
                    recipient: request.recipient, description: request.description, status: .initiated, attempts: 0,
                    createdAt: created, updatedAt: created, traceParent: new.traceParent,
                    history: [PaymentHistoryEntry(status: .initiated, at: created, source: .api, applied: true)]
                )
            )
        }
        return try await transaction("create") { connection in
            // The same order as the SQLite store: the idempotency key speaks first, then the client reference.
            if let key = new.idempotencyKey,
                let existing = try await self.loadPayment(connection, .idempotencyKey(clientID: new.clientID, key: key))
            {
                return existing.fingerprint == fingerprint ? .replayed(existing.payment) : .conflict(.idempotencyKey)
            }
            if let existing = try await self.loadPayment(
                connection, .clientRef(clientID: new.clientID, clientRef: request.clientRef)
            ) {
                return existing.fingerprint == fingerprint ? .replayed(existing.payment) : .conflict(.clientRef)
            }
            throw StoreError(.corrupt, debugDescription: "create: insert conflicted on the payment id itself")
        }
    }

    public func payment(id: UUID) async throws -> Payment? {
        try await transaction("payment", readOnly: true) { connection in
            try await self.loadPayment(connection, .id(id))?.payment
        }
    }

    public func payments(_ query: PaymentQuery) async throws -> PaymentPage {
        let limit = max(1, min(query.limit, 100))
        // Conditions are appended only when the query has them; every value is still a bound parameter.
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 512, interpolationCount: 6)
        sql.appendLiteral("SELECT \(Self.paymentColumns) FROM payments WHERE client_id = ")
        sql.appendInterpolation(query.clientID)
        if let clientRef = query.clientRef {
            sql.appendLiteral(" AND client_ref = ")
            sql.appendInterpolation(clientRef)
        }
        if let status = query.status {
            sql.appendLiteral(" AND status = ")
            sql.appendInterpolation(status.rawValue)
        }
        if let cursor = query.after {
            // Keyset pagination in the index's order: strictly after the last (created_at, id) seen.
            sql.appendLiteral(" AND (created_at, id) < (")
            sql.appendInterpolation(PostgresTimestamp(microseconds: cursor.createdAtMicros))
            sql.appendLiteral(", ")
            sql.appendInterpolation(cursor.id)
            sql.appendLiteral(")")
        }
        sql.appendLiteral(" ORDER BY created_at DESC, id DESC LIMIT ")
        sql.appendInterpolation(Int64(limit + 1))
        let statement = PostgresQuery(stringInterpolation: sql)

        return try await transaction("payments", readOnly: true) { connection in
            let rows = try await self.rows(connection, statement)
            var payments = try rows.prefix(limit).map { try Self.decodePayment($0).payment }
            let history = try await self.loadHistory(connection, paymentIDs: payments.map(\.id))
            for index in payments.indices {
                payments[index].history = history[payments[index].id] ?? []
            }
            var next: PaymentCursor?
            if rows.count > limit, let last = payments.last {
                next = PaymentCursor(createdAtMicros: last.createdAt.microseconds, id: last.id)
            }
            return PaymentPage(payments: payments, next: next)
        }
    }

    public func recordWebhook(_ event: WebhookEvent, receivedAt: Date) async throws -> WebhookRecording {
        try await transaction("recordWebhook") { connection in
            // The event is stored first, whether or not its payment is known: a repeated event_id inserts nothing
            // (a concurrent delivery of the same event waits on the primary key, then inserts nothing).
            let inserted = try await self.rows(
                connection,
                """
                INSERT INTO webhook_events (event_id, payment_id, known_payment, status, bank_ref, return_code, reason,
                    occurred_at, received_at)
                VALUES (\(event.eventID), \(event.paymentID), EXISTS (SELECT 1 FROM payments WHERE id = \(event.paymentID)),
                    \(event.status.rawValue), \(event.bankRef), \(event.returnCode), \(event.reason),
                    \(PostgresTimestamp(event.occurredAt)), \(PostgresTimestamp(receivedAt)))
                ON CONFLICT (event_id) DO NOTHING
                RETURNING known_payment
                """
            )
            guard let row = inserted.first else { return .duplicate }
            guard try row.decode(Bool.self),
                let outcome = try await self.apply(connection, event: event.paymentEvent, paymentID: event.paymentID, now: receivedAt)
            else { return .unknownPayment }
            return .recorded(outcome)
        }
    }

    public func apply(_ event: PaymentEvent, to paymentID: UUID, now: Date) async throws -> EventOutcome? {
        try await transaction("apply") { connection in
            try await self.apply(connection, event: event, paymentID: paymentID, now: now)
        }
    }

    public func claimJob(kinds: Set<JobKind>, now: Date, lease: Duration) async throws -> Job? {
        let kindNames = kinds.map(\.rawValue).sorted()
        let at = PostgresTimestamp(now)
        let expires = PostgresTimestamp(microseconds: now.microseconds + lease.microseconds)
        let token = UUID()
        return try await transaction("claimJob") { connection in
            // Running work whose worker stopped renewing its lease (a crash) first, then queued work that is due.
            // Two statements rather than one with an OR: each is served by its own partial index, where the OR made
            // every claim scan the whole table, which slowed claiming exactly when a backlog built up. SKIP LOCKED
            // lets concurrent claimants pass over a row another is claiming instead of queueing behind it.
            var rows: [PostgresRow] = []
            for state in ["running", "queued"] {
                let due = state == "running" ? "lease_expires_at" : "run_at"
                rows = try await self.rows(
                    connection,
                    """
                    WITH next AS (
                        SELECT id FROM jobs
                        WHERE state = \(state) AND \(unescaped: due) <= \(at) AND kind = ANY(\(kindNames))
                        ORDER BY \(unescaped: due)
                        LIMIT 1
                        FOR UPDATE SKIP LOCKED
                    )
                    UPDATE jobs SET state = 'running', attempts = jobs.attempts + 1, lease_token = \(token),
                        lease_expires_at = \(expires), updated_at = \(at)
                    FROM next WHERE jobs.id = next.id
                    RETURNING jobs.id, jobs.kind, jobs.payment_id, jobs.attempts, jobs.created_at, jobs.trace_parent
                    """
                )
                if !rows.isEmpty { break }
            }
            guard let row = rows.first else { return nil }
            let (id, kindText, paymentID, attempts, createdAt, traceParent) = try row.decode(
                (UUID, String, UUID, Int32, PostgresTimestamp, String?).self
            )
            guard let kind = JobKind(rawValue: kindText) else {
                throw StoreError(.corrupt, debugDescription: "unreadable job row")
            }
            if kind == .submit {
                try await self.execute(connection, "UPDATE payments SET attempts = \(attempts) WHERE id = \(paymentID)")
            }
            return Job(
                id: id, kind: kind, paymentID: paymentID, attempts: Int(attempts), leaseToken: token,
                createdAt: createdAt.date, traceParent: traceParent
            )
        }
    }

    public func finish(_ job: Job, result: JobResult, event: PaymentEvent?, now: Date) async throws -> EventOutcome? {
        let (state, note): (String, String?) =
            switch result {
            case .succeeded: ("succeeded", nil)
            case .skipped(let reason): ("skipped", reason)
            case .deadLettered(let reason): ("dead", reason)
            }
        return try await transaction("finish") { connection in
            // The lease check and the write are one statement: it locks the job row, so a claimant that took the
            // expired job over either committed first (and this matches nothing) or waits for this transaction.
            let finished = try await self.rows(
                connection,
                """
                UPDATE jobs SET state = \(state), result = \(note), lease_token = NULL, lease_expires_at = NULL,
                    updated_at = \(PostgresTimestamp(now))
                WHERE id = \(job.id) AND state = 'running' AND lease_token = \(job.leaseToken)
                RETURNING id
                """
            )
            guard !finished.isEmpty else { throw Self.leaseLost(job) }
            guard let event else { return nil }
            return try await self.apply(connection, event: event, paymentID: job.paymentID, now: now)
        }
    }

    public func reschedule(_ job: Job, runAt: Date, error: String, refundAttempt: Bool, now: Date) async throws {
        let refund: Int64 = refundAttempt ? 1 : 0
        try await transaction("reschedule") { connection in
            let rescheduled = try await self.rows(
                connection,
                """
                UPDATE jobs SET state = 'queued', run_at = \(PostgresTimestamp(runAt)), last_error = \(error),
                    attempts = attempts - \(refund), lease_token = NULL, lease_expires_at = NULL,
                    updated_at = \(PostgresTimestamp(now))
                WHERE id = \(job.id) AND state = 'running' AND lease_token = \(job.leaseToken)
                RETURNING id
                """
            )
            guard !rescheduled.isEmpty else { throw Self.leaseLost(job) }
            if refundAttempt && job.kind == .submit {
                try await self.execute(
                    connection,
                    "UPDATE payments SET attempts = attempts - 1 WHERE id = \(job.paymentID) AND attempts > 0"
                )
            }
        }
    }

    public func stalePayments(in status: PaymentStatus, updatedBefore: Date, limit: Int) async throws -> [Payment] {
        try await transaction("stalePayments", readOnly: true) { connection in
            let rows = try await self.rows(
                connection,
                """
                SELECT \(unescaped: Self.paymentColumns) FROM payments
                WHERE status = \(status.rawValue) AND updated_at < \(PostgresTimestamp(updatedBefore))
                ORDER BY updated_at LIMIT \(Int64(max(1, limit)))
                """
            )
            var payments = try rows.map { try Self.decodePayment($0).payment }
            let history = try await self.loadHistory(connection, paymentIDs: payments.map(\.id))
            for index in payments.indices { payments[index].history = history[payments[index].id] ?? [] }
            return payments
        }
    }

    public func queueStats(now: Date) async throws -> [JobKind: JobQueueStats] {
        try await transaction("queueStats", readOnly: true) { connection in
            let rows = try await self.rows(
                connection,
                "SELECT kind, COUNT(*), MIN(created_at) FROM jobs WHERE state IN ('queued', 'running') GROUP BY kind"
            )
            var stats: [JobKind: JobQueueStats] = [:]
            for kind in JobKind.allCases { stats[kind] = JobQueueStats(depth: 0, oldestAge: 0) }
            for row in rows {
                let (kindText, depth, oldest) = try row.decode((String, Int64, PostgresTimestamp).self)
                guard let kind = JobKind(rawValue: kindText) else { continue }
                stats[kind] = JobQueueStats(depth: Int(depth), oldestAge: max(0, now.timeIntervalSince(oldest.date)))
            }
            return stats
        }
    }

    private static func leaseLost(_ job: Job) -> StoreError {
        StoreError(.leaseLost, debugDescription: "job \(job.id) is no longer leased to this worker")
    }
}
