import Foundation
import Logging
import PostgresNIO

/// The SQL of a statement the store runs on every payment, prepared once per connection.
///
/// The server parses and plans an unnamed statement (what `PostgresQuery` sends) on every execution; a named one is
/// parsed once per connection and from then on runs with only its parameters. Every value is still a bound parameter; literals in
/// the SQL (`'queued'`, `'running'`) stay literals so that the partial indexes on `jobs` serve the generic plan.
protocol PostgresStatementSQL {
    /// The statement, with `$1`… parameters (cast where the server could not infer a type from a NULL).
    static var sql: String { get }
    /// The name it is prepared under on each connection.
    static var name: String { get }
}

/// A prepared execution of one ``PostgresStatementSQL`` with its parameter values; its rows are returned as they come.
struct PostgresStatement<SQL: PostgresStatementSQL>: PostgresPreparedStatement {
    typealias Row = PostgresRow

    static var sql: String { SQL.sql }
    static var name: String { SQL.name }

    var bindings: PostgresBindings

    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

extension PostgresPaymentStore {
    /// Runs a prepared statement and collects its rows (every result here is a handful of rows).
    func rows<SQL: PostgresStatementSQL>(
        _ connection: PostgresConnection, _: SQL.Type, _ bindings: PostgresBindings
    ) async throws -> [PostgresRow] {
        var rows: [PostgresRow] = []
        for try await row in try await connection.execute(PostgresStatement<SQL>(bindings: bindings), logger: logger) {
            rows.append(row)
        }
        return rows
    }

    /// The payment columns of ``paymentColumns`` qualified with a table alias, for joins.
    static func paymentColumns(as alias: String) -> String {
        ColumnList.qualified(paymentColumns, as: alias)
    }

    /// The history columns ``decodeHistoryEntry(_:at:)`` reads, in its order.
    static let historyColumns = "status, at, source, applied, detail, corrected_from"
}

/// The statements of the hot paths. Their SQL is fixed text: the names must never be reused for other SQL.
enum PostgresStatements {
    /// The columns both create statements insert, in their order: a new payment, its first history entry, its submit
    /// job.
    static let newPaymentColumns = """
        (id, client_id, client_ref, idempotency_key, request_fingerprint, amount_minor, currency, recipient_type,
            recipient_name, recipient_account_number, recipient_routing_number, recipient_email, recipient_phone,
            description, status, attempts, trace_parent, created_at, updated_at, recipient_account_last4,
            recipient_account_index, recipient_key_id)
        """
    static let newHistoryColumns = "(payment_id, status, source, applied, detail, at)"
    static let newJobColumns = "(id, kind, payment_id, state, attempts, run_at, trace_parent, created_at, updated_at)"

    /// A new payment, its first history entry and its submit job, in one statement (data-modifying CTEs run
    /// atomically). `ON CONFLICT DO NOTHING` lets the unique constraints decide between racing requests: nothing is
    /// inserted and no row returned. scripts/bench/create-payment.sql mirrors this statement for pgbench.
    enum CreatePayment: PostgresStatementSQL {
        static let name = "payments_create_v3"
        static let sql = """
            WITH inserted AS (
                INSERT INTO payments \(newPaymentColumns)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'initiated', 0, $15, $16, $16,
                    $18, $19, $20)
                ON CONFLICT DO NOTHING
                RETURNING id
            ), history AS (
                INSERT INTO payment_history \(newHistoryColumns)
                SELECT id, 'initiated', 'api', true, NULL, $16 FROM inserted
            ), job AS (
                INSERT INTO jobs \(newJobColumns)
                SELECT $17::uuid, 'submit', id, 'queued', 0, $16, $15, $16, $16 FROM inserted
            )
            SELECT id FROM inserted
            """
    }

    /// ``CreatePayment`` for several new payments at once, one array parameter per column (`$1` to `$20`, one element
    /// per payment, in ``CreatePayment``'s order): the same rows, a conflicting payment again inserting nothing, and
    /// the ids of those inserted returned. Rows go in (client, reference) order so that two batches racing on the same
    /// references meet them in the same order (fewer deadlocks; the store retries a deadlocked batch row by row).
    enum CreatePayments: PostgresStatementSQL {
        static let name = "payments_create_batch_v3"
        static let sql = """
            WITH input AS (
                SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::text[],
                    $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                    $16::timestamptz[], $17::uuid[], $18::text[], $19::text[], $20::text[])
                    AS row (id, client_id, client_ref, idempotency_key, request_fingerprint, amount_minor, currency,
                        recipient_type, recipient_name, recipient_account_number, recipient_routing_number,
                        recipient_email, recipient_phone, description, trace_parent, created_at, job_id,
                        recipient_account_last4, recipient_account_index, recipient_key_id)
            ), inserted AS (
                INSERT INTO payments \(newPaymentColumns)
                SELECT id, client_id, client_ref, idempotency_key, request_fingerprint, amount_minor, currency,
                    recipient_type, recipient_name, recipient_account_number, recipient_routing_number,
                    recipient_email, recipient_phone, description, 'initiated', 0, trace_parent, created_at, created_at,
                    recipient_account_last4, recipient_account_index, recipient_key_id
                FROM input ORDER BY client_id, client_ref
                ON CONFLICT DO NOTHING
                RETURNING id
            ), history AS (
                INSERT INTO payment_history \(newHistoryColumns)
                SELECT input.id, 'initiated', 'api', true, NULL, input.created_at FROM input JOIN inserted USING (id)
            ), job AS (
                INSERT INTO jobs \(newJobColumns)
                SELECT input.job_id, 'submit', input.id, 'queued', 0, input.created_at, input.trace_parent,
                    input.created_at, input.created_at
                FROM input JOIN inserted USING (id)
            )
            SELECT id FROM inserted
            """
    }

    /// Claims the next due jobs and reads their payments, in one statement: running work whose lease expired (a crashed
    /// worker) first, then queued work that is due, each through its own partial index, `SKIP LOCKED` so concurrent
    /// claimants pass over each other's rows. The `UNION ALL ... LIMIT` reads the second only for what the first left
    /// unfilled. A submit job's claim counts as an attempt on the payment too. The payment columns are read from the
    /// statement's snapshot, so their `attempts` is the count before this claim (the caller sets it).
    ///
    /// `$1` now, `$2` the kinds, `$3` the lease token, `$4` the lease's expiry, `$5` how many jobs at most (a worker
    /// fills its free slots in one round trip; rows are locked only as far as they are read).
    enum ClaimJob: PostgresStatementSQL {
        static let name = "payments_claim_jobs_v3"
        static let sql = """
            WITH expired AS (
                SELECT id FROM jobs
                WHERE state = 'running' AND lease_expires_at <= $1 AND kind = ANY($2::text[])
                ORDER BY lease_expires_at LIMIT $5
                FOR UPDATE SKIP LOCKED
            ), due AS (
                SELECT id FROM jobs
                WHERE state = 'queued' AND run_at <= $1 AND kind = ANY($2::text[])
                ORDER BY run_at LIMIT $5
                FOR UPDATE SKIP LOCKED
            ), next AS (
                SELECT id FROM expired UNION ALL SELECT id FROM due LIMIT $5
            ), claimed AS (
                UPDATE jobs SET state = 'running', attempts = jobs.attempts + 1, lease_token = $3,
                    lease_expires_at = $4, updated_at = $1
                FROM next WHERE jobs.id = next.id
                RETURNING jobs.id, jobs.kind, jobs.payment_id, jobs.attempts, jobs.created_at, jobs.trace_parent
            ), counted AS (
                UPDATE payments SET attempts = claimed.attempts FROM claimed
                WHERE payments.id = claimed.payment_id AND claimed.kind = 'submit'
            )
            SELECT claimed.id, claimed.kind, claimed.payment_id, claimed.attempts, claimed.created_at,
                claimed.trace_parent, \(PostgresPaymentStore.paymentColumns(as: "p"))
            FROM claimed LEFT JOIN payments p ON p.id = claimed.payment_id
            """
    }

    /// A payment with its history, one row per entry (a payment without history gives one row of NULL history
    /// columns), from one snapshot. `$1` the id.
    enum PaymentWithHistory: PostgresStatementSQL {
        static let name = "payments_payment_with_history_v2"
        static let sql = """
            SELECT \(PostgresPaymentStore.paymentColumns(as: "p")), h.status, h.at, h.source, h.applied, h.detail,
                h.corrected_from
            FROM payments p LEFT JOIN payment_history h ON h.payment_id = p.id
            WHERE p.id = $1
            ORDER BY h.id
            """
    }

    /// The payment row, locked for a state change (`FOR NO KEY UPDATE`: it serialises every writer of the payment
    /// but does not wait for the key-share locks that inserting history and job rows takes). `$1` the id.
    enum LockPayment: PostgresStatementSQL {
        static let name = "payments_lock_payment_v2"
        static let sql = """
            SELECT \(PostgresPaymentStore.paymentColumns) FROM payments WHERE id = $1 FOR NO KEY UPDATE
            """
    }

    /// Ends a leased job (the lease check and the write are one statement) and locks its payment for the event the
    /// job's work produced. The first column counts the jobs ended (0: the lease was lost), then the payment's.
    ///
    /// `$1` job id, `$2` lease token, `$3` state, `$4` result note, `$5` now, `$6` payment id.
    enum FinishJobLockPayment: PostgresStatementSQL {
        static let name = "payments_finish_job_lock_payment_v2"
        static let sql = """
            WITH finished AS (
                UPDATE jobs SET state = $3, result = $4::text, lease_token = NULL, lease_expires_at = NULL, updated_at = $5
                WHERE id = $1 AND state = 'running' AND lease_token = $2
                RETURNING id
            )
            SELECT (SELECT count(*) FROM finished), \(PostgresPaymentStore.paymentColumns)
            FROM payments WHERE id = $6 FOR NO KEY UPDATE
            """
    }

    /// Ends a leased job that produced no payment event. `$1` job id, `$2` lease token, `$3` state, `$4` result
    /// note, `$5` now.
    enum FinishJob: PostgresStatementSQL {
        static let name = "payments_finish_job_v2"
        static let sql = """
            UPDATE jobs SET state = $3, result = $4::text, lease_token = NULL, lease_expires_at = NULL, updated_at = $5
            WHERE id = $1 AND state = 'running' AND lease_token = $2
            RETURNING id
            """
    }

    /// The `inserted` step ``RecordWebhook`` begins with: the event, unless its `event_id` was recorded before (then
    /// no row, and nothing further happens); `known_payment` tells whether its payment exists. `$1` event id, `$2`
    /// payment id, `$3` status, `$4` bank ref, `$5` return code, `$6` reason, `$7` occurred at, `$8` received at.
    static let insertWebhookEvent = """
        inserted AS (
                INSERT INTO webhook_events (event_id, payment_id, known_payment, status, bank_ref, return_code, reason,
                    occurred_at, received_at)
                VALUES ($1, $2, EXISTS (SELECT 1 FROM payments WHERE id = $2), $3, $4::text, $5::text, $6::text, $7, $8)
                ON CONFLICT (event_id) DO NOTHING
                RETURNING known_payment
            )
        """

    /// A webhook event recorded and run through the lifecycle in one statement, so one round trip and no
    /// BEGIN/COMMIT: the event is inserted (a repeated `event_id` inserts nothing and stops there); a new event of a
    /// known payment locks the payment, picks the lifecycle's action for the payment's status from a table the
    /// caller worked out with ``PaymentsCore/PaymentLifecycle`` for every status (`$11` statuses, `$12` actions:
    /// `transition`, `correction`, `record_only` or `already`, `$13` history notes, `$15` follow-up job kinds,
    /// comma-separated), and writes the payment, its history entry and the follow-up jobs the action calls for. The
    /// statement is atomic: all of it commits, or none.
    ///
    /// Returned: whether the payment is known; the payment as locked (before the change) with its row version; the
    /// row version in the statement's snapshot and the history in that snapshot (as JSON, times in microseconds);
    /// the new history entry's id. The versions differ only when another transaction changed the payment while this
    /// one waited for the lock, and then the history is read again (see ``PostgresPaymentStore/recordWebhook``).
    ///
    /// `$1` event id, `$2` payment id, `$3` the event's status (a change's new status), `$4` bank ref, `$5`
    /// return code, `$6` reason, `$7` occurred at, `$8` received at (the change's time), `$9` source, `$10` detail,
    /// `$14` a change's failure reason (a correction replaces the old one, a transition keeps it when it has none).
    enum RecordWebhook: PostgresStatementSQL {
        static let name = "payments_record_webhook_v2"
        static let sql = """
            WITH \(insertWebhookEvent), locked AS (
                SELECT \(PostgresPaymentStore.paymentColumns), xmin::text AS row_version FROM payments
                WHERE id = $2 AND EXISTS (SELECT 1 FROM inserted WHERE known_payment)
                FOR NO KEY UPDATE
            ), decision AS (
                SELECT locked.id, locked.trace_parent, locked.status AS current_status, d.action, d.note, d.followup,
                    d.action IN ('transition', 'correction') AS changes
                FROM locked
                JOIN unnest($11::text[], $12::text[], $13::text[], $15::text[]) AS d (current_status, action, note, followup)
                    ON d.current_status = locked.status
            ), updated AS (
                UPDATE payments SET
                    status = CASE WHEN decision.changes THEN $3 ELSE payments.status END,
                    bank_ref = CASE WHEN decision.changes THEN COALESCE($4::text, payments.bank_ref)
                        ELSE COALESCE(payments.bank_ref, $4::text) END,
                    return_code = CASE WHEN decision.changes THEN COALESCE($5::text, payments.return_code)
                        ELSE payments.return_code END,
                    failure_reason = CASE WHEN decision.action = 'correction' THEN $14::text
                        WHEN decision.action = 'transition' THEN COALESCE($14::text, payments.failure_reason)
                        ELSE payments.failure_reason END,
                    updated_at = CASE WHEN decision.action = 'already' THEN payments.updated_at ELSE $8 END,
                    reconcile_after = CASE WHEN decision.changes THEN NULL ELSE payments.reconcile_after END
                FROM decision
                WHERE payments.id = decision.id
                    AND (decision.action <> 'already' OR (payments.bank_ref IS NULL AND $4::text IS NOT NULL))
            ), history AS (
                INSERT INTO payment_history (payment_id, status, source, applied, detail, at, corrected_from)
                SELECT decision.id, $3, $9, decision.changes,
                    CASE WHEN decision.changes THEN $10::text ELSE decision.note END, $8,
                    CASE WHEN decision.action = 'correction' THEN decision.current_status END
                FROM decision WHERE decision.action <> 'already'
                RETURNING id
            ), followup AS (
                INSERT INTO jobs (id, kind, payment_id, state, attempts, run_at, trace_parent, created_at, updated_at)
                SELECT gen_random_uuid(), followup_kind, decision.id, 'queued', 0, $8, decision.trace_parent, $8, $8
                FROM decision, unnest(string_to_array(NULLIF(decision.followup, ''), ',')) AS followup_kind
                WHERE decision.changes
            )
            SELECT inserted.known_payment, \(PostgresPaymentStore.paymentColumns(as: "locked")), locked.row_version,
                (SELECT xmin::text FROM payments WHERE id = $2),
                (SELECT json_agg(json_build_array(h.status, (extract(epoch FROM h.at) * 1000000)::int8, h.source,
                    h.applied, h.detail, h.corrected_from) ORDER BY h.id)::text
                 FROM payment_history h WHERE h.payment_id = $2 AND EXISTS (SELECT 1 FROM locked)),
                (SELECT id FROM history)
            FROM inserted LEFT JOIN locked ON true
            """
    }

    /// A payment's history entries older than `$2` (a history id), read after the change committed. `$1` the id.
    enum HistoryBefore: PostgresStatementSQL {
        static let name = "payments_history_before_v2"
        static let sql = """
            SELECT \(PostgresPaymentStore.historyColumns) FROM payment_history
            WHERE payment_id = $1 AND id < $2 ORDER BY id
            """
    }

    /// A transition or a correction: the payment's new status, its history entry and its follow-up jobs, then the
    /// payment's history before this entry (the lock is held, so nothing else was added since). The caller holds the
    /// payment's lock.
    ///
    /// `$1` payment id, `$2` status, `$3` bank ref, `$4` return code, `$5` failure reason, `$6` now, `$7` the event's
    /// status, `$8` source, `$9` detail, `$10` job ids, `$11` job kinds, `$12` trace parent, `$13` the status a
    /// correction corrects (NULL for a transition, which keeps an earlier failure reason when it brings none).
    enum Transition: PostgresStatementSQL {
        static let name = "payments_transition_v2"
        static let sql = """
            WITH updated AS (
                UPDATE payments SET status = $2, bank_ref = COALESCE($3::text, bank_ref),
                    return_code = COALESCE($4::text, return_code),
                    failure_reason = CASE WHEN $13::text IS NULL THEN COALESCE($5::text, failure_reason) ELSE $5::text END,
                    updated_at = $6, reconcile_after = NULL
                WHERE id = $1
                RETURNING id
            ), history AS (
                INSERT INTO payment_history (payment_id, status, source, applied, detail, at, corrected_from)
                SELECT id, $7, $8, true, $9::text, $6, $13::text FROM updated
            ), followup AS (
                INSERT INTO jobs (id, kind, payment_id, state, attempts, run_at, trace_parent, created_at, updated_at)
                SELECT followup_job.id, followup_job.kind, updated.id, 'queued', 0, $6, $12::text, $6, $6
                FROM updated, unnest($10::uuid[], $11::text[]) AS followup_job (id, kind)
            )
            SELECT \(PostgresPaymentStore.historyColumns) FROM payment_history WHERE payment_id = $1 ORDER BY id
            """
    }

    /// An event kept in the history without changing the status (a bank reference it lacks is kept), then the
    /// history before this entry. The caller holds the payment's lock.
    ///
    /// `$1` payment id, `$2` bank ref, `$3` now, `$4` the event's status, `$5` source, `$6` detail.
    enum RecordOnly: PostgresStatementSQL {
        static let name = "payments_record_only_v2"
        static let sql = """
            WITH updated AS (
                UPDATE payments SET bank_ref = COALESCE(bank_ref, $2::text), updated_at = $3 WHERE id = $1 RETURNING id
            ), history AS (
                INSERT INTO payment_history (payment_id, status, source, applied, detail, at)
                SELECT id, $4, $5, false, $6::text, $3 FROM updated
            )
            SELECT \(PostgresPaymentStore.historyColumns) FROM payment_history WHERE payment_id = $1 ORDER BY id
            """
    }

    /// The payment already has the event's status: only a bank reference it lacks is kept; then its history.
    /// `$1` payment id, `$2` bank ref (NULL: nothing to keep).
    enum AlreadyInStatus: PostgresStatementSQL {
        static let name = "payments_already_in_status_v2"
        static let sql = """
            WITH updated AS (
                UPDATE payments SET bank_ref = $2::text WHERE id = $1 AND bank_ref IS NULL AND $2::text IS NOT NULL
            )
            SELECT \(PostgresPaymentStore.historyColumns) FROM payment_history WHERE payment_id = $1 ORDER BY id
            """
    }
}
