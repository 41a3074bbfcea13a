import Foundation
import Logging
import PaymentsCore
import PaymentsSupport
import PostgresNIO

/// The ``PaymentStore`` on PostgreSQL, for several instances sharing one database.
///
/// It behaves exactly like ``SQLitePaymentStore`` (one contract test suite runs against both); what differs is how
/// concurrent processes are kept apart: inserts that may race use `ON CONFLICT DO NOTHING`, state changes lock the
/// payment row, job claims use `FOR UPDATE SKIP LOCKED`, and migrations take an advisory lock.
///
/// Every method is one transaction bounded by `operationTimeout`: when the database is down or hung it throws
/// ``StoreError/Code/unavailable`` within that time instead of holding the caller.
public final class PostgresPaymentStore: PaymentStore {
    let client: PostgresClient
    let logger: Logger
    let operationTimeout: Duration
    let migrationTimeout: Duration
    let createBatcher: PostgresCreateBatcher
    /// Seals and opens recipient identifiers.
    let ring: DataKeyRing

    /// Creates a store on a client whose `run()` the caller runs.
    ///
    /// - Parameters:
    ///   - client: The connection pool. The store never runs or shuts it down.
    ///   - logger: Receives postgres-nio's query logs and the store's failures (never parameter values).
    ///   - ring: Seals and opens recipient identifiers.
    ///   - operationTimeout: The deadline of every operation, connection wait included.
    ///   - migrationTimeout: The deadline of each migration in ``migrate()``, which may wait for another instance's
    ///     migration and may rewrite large tables.
    public init(
        client: PostgresClient, logger: Logger, ring: DataKeyRing, operationTimeout: Duration = .seconds(2),
        migrationTimeout: Duration = .seconds(30)
    ) {
        self.client = client
        self.ring = ring
        self.logger = logger
        self.operationTimeout = operationTimeout
        self.migrationTimeout = migrationTimeout
        // Two statements at once: one fills while the other runs, so a create waits about one statement behind at
        // most, and the rest of the pool's connections (and the database's CPU) stay with the workers and webhooks.
        self.createBatcher = PostgresCreateBatcher(maximumInFlight: 2, maximumBatch: 64, timeout: operationTimeout)
    }

    /// Inserts new payments (one statement, their history and submit jobs with them) and returns the ids inserted, or
    /// `nil` when the batch must go row by row: PostgreSQL broke a deadlock with another create by failing this
    /// statement, or one row of several holds a value it refuses (a data exception, SQLSTATE class 22), which must fail
    /// that create alone.
    private func insertNewPayments(_ rows: [PostgresNewPaymentRow]) async throws -> Set<UUID>? {
        try await statement("create") { connection in
            do {
                let inserted =
                    rows.count == 1
                    ? try await self.rows(connection, PostgresStatements.CreatePayment.self, rows[0].bindings)
                    : try await self.rows(
                        connection, PostgresStatements.CreatePayments.self, PostgresNewPaymentRow.batchBindings(rows)
                    )
                return Set(try inserted.map { try $0.decode(UUID.self) })
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "40P01" {
                return nil
            } catch let error as PSQLError where rows.count > 1 && error.serverInfo?[.sqlState]?.hasPrefix("22") == true
            {
                return nil
            }
        }
    }

    public func migrate() async throws {
        for migration in PostgresMigrations.all {
            // One transaction per migration, serialised across instances by the advisory lock: a second instance
            // waits, then sees the version recorded and skips it. DDL is transactional in PostgreSQL, so a failed
            // migration leaves nothing behind.
            try await transaction("migrate to version \(migration.version)", timeout: migrationTimeout) { connection in
                try await self.execute(
                    connection, "SELECT pg_advisory_xact_lock(\(PostgresMigrations.advisoryLockKey))")
                try await self.execute(connection, PostgresQuery(unsafeSQL: PostgresMigrations.createVersionTable))
                let version = Int32(migration.version)
                let applied = try await self.rows(
                    connection, "SELECT 1 FROM schema_migrations WHERE version = \(version)")
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
        try await sealLegacyRecipients()
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
        let row = PostgresNewPaymentRow(new, ring: ring)
        let fingerprint = row.fingerprint
        let request = new.request
        // The common case, a new payment, is one prepared statement: the payment, its history entry and its submit
        // job are inserted by data-modifying CTEs, which PostgreSQL runs atomically (one round trip, no BEGIN/COMMIT),
        // together with the other creates of the moment (PostgresCreateBatcher). The unique constraints decide
        // between racing requests: a conflicting insert waits for the other transaction and then inserts nothing,
        // and neither does the rest of its row's statement.
        let inserted = try await createBatcher.insert(row) { [self] rows in
            try await insertNewPayments(rows)
        }
        if inserted {
            // What the row now holds, without reading it back (times at the column's microsecond precision).
            let created = row.createdAt.date
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
        // One statement (the payment joined to its history) reads one snapshot: no transaction needed.
        try await statement("payment") { connection in
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
            var payments = try rows.prefix(limit).map { try Self.decodePayment($0, ring: self.ring).payment }
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

    public func recordWebhook(_ webhook: WebhookEvent, receivedAt: Date) async throws -> WebhookRecording {
        let event = webhook.paymentEvent
        let detail = PaymentEventDetail.describe(event)
        // The lifecycle's action for every status the payment may be found in, for the statement to pick from.
        var statuses: [String] = []
        var actions: [String] = []
        var notes: [String] = []
        var followUps: [String] = []
        for status in PaymentStatus.allCases {
            let (action, note) = Self.decide(event, from: status)
            statuses.append(status.rawValue)
            notes.append(note ?? "")
            followUps.append(action.followUp.map(\.rawValue).joined(separator: ","))
            switch action {
            case .transition: actions.append("transition")
            case .correction: actions.append("correction")
            case .recordOnly: actions.append("record_only")
            case .alreadyInStatus: actions.append("already")
            }
        }
        let at = PostgresTimestamp(receivedAt)
        var bindings = Self.webhookEventBindings(webhook, receivedAt: receivedAt, capacity: 15)
        bindings.append(event.source.rawValue)
        bindings.append(detail)
        bindings.append(statuses)
        bindings.append(actions)
        bindings.append(notes)
        bindings.append(PaymentEventDetail.failureReason(of: event))
        bindings.append(followUps)
        return try await statement("recordWebhook") { [bindings] connection in
            let rows = try await self.rows(connection, PostgresStatements.RecordWebhook.self, bindings)
            guard let row = rows.first else { return .duplicate }
            let cells = row.makeRandomAccess()
            guard try cells[0].decode(Bool.self), try cells[1].decode(UUID?.self) != nil else { return .unknownPayment }
            let columns = Self.paymentColumnCount
            let current = try Self.decodePayment(cells, at: 1, ring: self.ring).payment
            let lockedVersion = try cells[columns + 1].decode(String?.self)
            let snapshotVersion = try cells[columns + 2].decode(String?.self)
            let newEntry = try cells[columns + 4].decode(Int64?.self)
            var history = try Self.decodeHistoryJSON(try cells[columns + 3].decode(String?.self))
            if lockedVersion != snapshotVersion {
                // Another transaction changed the payment while this one waited for its lock, so the snapshot's
                // history may lack what that one added. Every history writer holds the payment's lock, so the entries
                // before this one's are final: read them now.
                var again = PostgresBindings(capacity: 2)
                again.append(webhook.paymentID)
                again.append(newEntry ?? Int64.max)
                history = try Self.decodeHistory(
                    try await self.rows(connection, PostgresStatements.HistoryBefore.self, again))
            }
            let (action, note) = Self.decide(event, from: current.status)
            let payment = Self.changed(
                current, by: event, action: action, note: note, detail: detail, at: at, history: history)
            return .recorded(EventOutcome(payment: payment, action: action, previousStatus: current.status))
        }
    }

    /// `$1` to `$8` of ``PostgresStatements/RecordWebhook``.
    private static func webhookEventBindings(_ event: WebhookEvent, receivedAt: Date, capacity: Int) -> PostgresBindings
    {
        var bindings = PostgresBindings(capacity: capacity)
        bindings.append(event.eventID)
        bindings.append(event.paymentID)
        bindings.append(event.status.rawValue)
        bindings.append(event.bankRef)
        bindings.append(event.returnCode)
        bindings.append(event.reason)
        bindings.append(PostgresTimestamp(event.occurredAt))
        bindings.append(PostgresTimestamp(receivedAt))
        return bindings
    }

    public func apply(_ event: PaymentEvent, to paymentID: UUID, now: Date) async throws -> EventOutcome? {
        try await transaction("apply") { connection in
            try await self.apply(connection, event: event, paymentID: paymentID, now: now)
        }
    }

    public func claimJob(kinds: Set<JobKind>, now: Date, lease: Duration) async throws -> Job? {
        try await claimJobWithPayment(kinds: kinds, now: now, lease: lease)?.job
    }

    public func claimJobWithPayment(kinds: Set<JobKind>, now: Date, lease: Duration) async throws -> ClaimedJob? {
        try await claimJobs(kinds: kinds, now: now, lease: lease, limit: 1).first
    }

    public func claimJobs(kinds: Set<JobKind>, now: Date, lease: Duration, limit: Int) async throws -> [ClaimedJob] {
        let token = SecureRandom.uuid()
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(PostgresTimestamp(now))
        bindings.append(kinds.map(\.rawValue).sorted())
        bindings.append(token)
        bindings.append(PostgresTimestamp(microseconds: now.microseconds + lease.wholeMicroseconds))
        bindings.append(Int64(max(1, limit)))
        // One statement, so no transaction: the claims, the submit attempts on the payments and the payments' reads
        // commit together (see ``PostgresStatements/ClaimJob``). The jobs share the lease token; each is still
        // ended by its own id.
        let rows = try await statement("claimJob") { [bindings] connection in
            try await self.rows(connection, PostgresStatements.ClaimJob.self, bindings)
        }
        return try rows.map { try self.decodeClaim($0, token: token) }
    }

    /// One row of ``PostgresStatements/ClaimJob``: the job, then its payment's columns.
    private func decodeClaim(_ row: PostgresRow, token: UUID) throws -> ClaimedJob {
        let (id, kindText, paymentID, attempts, createdAt, traceParent) = try row.decode(
            (UUID, String, UUID, Int32, PostgresTimestamp, String?).self
        )
        guard let kind = JobKind(rawValue: kindText) else {
            throw StoreError(.corrupt, debugDescription: "unreadable job row")
        }
        let job = Job(
            id: id, kind: kind, paymentID: paymentID, attempts: Int(attempts), leaseToken: token,
            createdAt: createdAt.date, traceParent: traceParent
        )
        let cells = row.makeRandomAccess()
        guard try cells[6].decode(UUID?.self) != nil else { return ClaimedJob(job: job, payment: nil) }
        var payment: Payment
        do {
            payment = try Self.decodePayment(cells, at: 6, ring: self.ring).payment
        } catch let error as StoreError where error.code == .corrupt {
            // Unreadable (a sealed value that does not open): the worker dead-letters the job with the reason.
            return ClaimedJob(job: job, payment: nil, unreadable: error.debugDescription)
        }
        if kind == .submit { payment.attempts = Int(attempts) }
        return ClaimedJob(job: job, payment: payment)
    }

    public func finish(_ job: Job, result: JobResult, event: PaymentEvent?, now: Date) async throws -> EventOutcome? {
        var bindings = PostgresBindings(capacity: 6)
        bindings.append(job.id)
        bindings.append(job.leaseToken)
        bindings.append(result.state)
        bindings.append(result.note)
        bindings.append(PostgresTimestamp(now))
        guard let event else {
            // The lease check and the write are one statement: it locks the job row, so a claimant that took the
            // expired job over either committed first (and this matches nothing) or waits for this one.
            let finished = try await statement("finish") { [bindings] connection in
                try await self.rows(connection, PostgresStatements.FinishJob.self, bindings)
            }
            guard !finished.isEmpty else { throw Self.leaseLost(job) }
            return nil
        }
        bindings.append(job.paymentID)
        return try await transaction("finish") { [bindings] connection in
            // Ends the job under the same lease check, and locks the payment for the event, in one statement.
            let rows = try await self.rows(connection, PostgresStatements.FinishJobLockPayment.self, bindings)
            // The job's payment is referenced by a foreign key, so it is there; without it the job still ends.
            guard let row = rows.first else { return nil }
            let cells = row.makeRandomAccess()
            guard try cells[0].decode(Int64.self) == 1 else { throw Self.leaseLost(job) }
            let current = try Self.decodePayment(cells, at: 1, ring: self.ring).payment
            return try await self.apply(connection, event: event, locked: current, now: now)
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

    public func queueStats(now: Date) async throws -> [JobKind: JobQueueStats] {
        try await statement("queueStats") { connection in
            var stats = JobQueue.empty
            for row in try await self.rows(connection, PostgresQuery(unsafeSQL: JobQueue.stats)) {
                let (kind, count, oldest) = try row.decode((String, Int64, PostgresTimestamp).self)
                JobQueue.add(kind: kind, count: Int(count), oldest: oldest.date, now: now, to: &stats)
            }
            return stats
        }
    }

    public func deleteFinishedJobs(finishedBefore: Date, limit: Int) async throws -> Int {
        // `= ANY(ARRAY(...))`: the ids are worked out first and each deleted through the primary key. An `IN` would
        // let the planner join them to a sequential scan of the whole table, once per batch.
        try await statement("deleteFinishedJobs") { connection in
            try await self.rows(
                connection,
                """
                DELETE FROM jobs WHERE id = ANY(ARRAY(
                    SELECT id FROM jobs WHERE state IN \(unescaped: JobQueue.finishedStates)
                        AND updated_at < \(PostgresTimestamp(finishedBefore))
                    ORDER BY updated_at LIMIT \(Int64(max(1, limit)))))
                RETURNING id
                """
            ).count
        }
    }

    private static func leaseLost(_ job: Job) -> StoreError {
        StoreError(.leaseLost, debugDescription: "job \(job.id) is no longer leased to this worker")
    }
}
