/// The SQLite schema, version by version. Times are microseconds since 1970 (UTC) in INTEGER columns so that both
/// databases sort and compare them the same way.
enum SQLiteMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1, name: "payments, history, webhook events and jobs",
            statements: [
                """
                CREATE TABLE payments (
                    id TEXT PRIMARY KEY,
                    client_id TEXT NOT NULL,
                    client_ref TEXT NOT NULL,
                    idempotency_key TEXT,
                    request_fingerprint TEXT NOT NULL,
                    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
                    currency TEXT NOT NULL,
                    recipient_type TEXT NOT NULL,
                    recipient_name TEXT NOT NULL,
                    recipient_account_number TEXT,
                    recipient_routing_number TEXT,
                    recipient_email TEXT,
                    recipient_phone TEXT,
                    description TEXT,
                    status TEXT NOT NULL,
                    bank_ref TEXT,
                    return_code TEXT,
                    failure_reason TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    trace_parent TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    UNIQUE (client_id, client_ref)
                )
                """,
                "CREATE UNIQUE INDEX payments_idempotency_key ON payments (client_id, idempotency_key) WHERE idempotency_key IS NOT NULL",
                "CREATE INDEX payments_client_created ON payments (client_id, created_at DESC, id DESC)",
                "CREATE INDEX payments_status_updated ON payments (status, updated_at)",
                """
                CREATE TABLE payment_history (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    payment_id TEXT NOT NULL REFERENCES payments (id),
                    status TEXT NOT NULL,
                    source TEXT NOT NULL,
                    applied INTEGER NOT NULL,
                    detail TEXT,
                    at INTEGER NOT NULL
                )
                """,
                "CREATE INDEX payment_history_payment ON payment_history (payment_id, id)",
                """
                CREATE TABLE webhook_events (
                    event_id TEXT PRIMARY KEY,
                    payment_id TEXT NOT NULL,
                    known_payment INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    bank_ref TEXT,
                    return_code TEXT,
                    reason TEXT,
                    occurred_at INTEGER NOT NULL,
                    received_at INTEGER NOT NULL
                )
                """,
                "CREATE INDEX webhook_events_unknown ON webhook_events (received_at) WHERE known_payment = 0",
                """
                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    payment_id TEXT NOT NULL REFERENCES payments (id),
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    run_at INTEGER NOT NULL,
                    lease_token TEXT,
                    lease_expires_at INTEGER,
                    last_error TEXT,
                    result TEXT,
                    trace_parent TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                )
                """,
                "CREATE INDEX jobs_queued ON jobs (run_at) WHERE state = 'queued'",
                "CREATE INDEX jobs_running ON jobs (lease_expires_at) WHERE state = 'running'",
            ]
        ),
        Migration(
            version: 2, name: "corrections, reconciliation schedule and state, dead-letter index",
            statements: [
                "ALTER TABLE payment_history ADD COLUMN corrected_from TEXT",
                "ALTER TABLE payments ADD COLUMN reconcile_after INTEGER",
                "CREATE INDEX payments_reconcile ON payments (status, updated_at, reconcile_after)",
                """
                CREATE TABLE reconciliation_state (
                    name TEXT PRIMARY KEY,
                    watermark INTEGER,
                    lease_until INTEGER NOT NULL DEFAULT 0
                )
                """,
                "CREATE INDEX jobs_dead ON jobs (kind, updated_at) WHERE state = 'dead'",
                "CREATE INDEX jobs_payment ON jobs (payment_id, kind, state)",
            ]
        ),
        Migration(
            version: 3, name: "sealed recipient identifiers: last four digits, blind index, sealing key",
            statements: [
                "ALTER TABLE payments ADD COLUMN recipient_account_last4 TEXT",
                "ALTER TABLE payments ADD COLUMN recipient_account_index TEXT",
                "ALTER TABLE payments ADD COLUMN recipient_key_id TEXT",
                "CREATE INDEX payments_account_index ON payments (recipient_account_index) WHERE recipient_account_index IS NOT NULL",
                "CREATE INDEX payments_key_id ON payments (recipient_key_id) WHERE recipient_key_id IS NOT NULL",
            ]
        ),
    ]
}
