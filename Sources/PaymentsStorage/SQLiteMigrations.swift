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
        Migration(
            version: 4, name: "client notifications: webhook endpoints, events, deliveries and their attempts",
            statements: [
                """
                CREATE TABLE webhook_endpoints (
                    id TEXT PRIMARY KEY,
                    client_id TEXT NOT NULL,
                    url TEXT NOT NULL,
                    events TEXT,
                    description TEXT,
                    status TEXT NOT NULL,
                    secret TEXT NOT NULL,
                    previous_secret TEXT,
                    previous_secret_expires_at INTEGER,
                    failing_since INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                )
                """,
                "CREATE INDEX webhook_endpoints_client ON webhook_endpoints (client_id, created_at)",
                """
                CREATE TABLE client_events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    client_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    payment_id TEXT,
                    endpoint_id TEXT,
                    status TEXT,
                    corrected_from TEXT,
                    bank_ref TEXT,
                    return_code TEXT,
                    failure_reason TEXT,
                    created_at INTEGER NOT NULL
                )
                """,
                "CREATE INDEX client_events_feed ON client_events (client_id, seq)",
                "CREATE INDEX client_events_created ON client_events (created_at)",
                """
                CREATE TABLE webhook_deliveries (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_seq INTEGER NOT NULL,
                    endpoint_id TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    run_at INTEGER NOT NULL,
                    lease_token TEXT,
                    lease_expires_at INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                )
                """,
                "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (run_at) WHERE state = 'pending'",
                "CREATE INDEX webhook_deliveries_running ON webhook_deliveries (lease_expires_at) WHERE state = 'delivering'",
                "CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_seq)",
                "CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, state)",
                """
                CREATE TABLE webhook_delivery_attempts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_seq INTEGER NOT NULL,
                    endpoint_id TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    status_code INTEGER,
                    latency_us INTEGER NOT NULL,
                    error TEXT
                )
                """,
                "CREATE INDEX webhook_delivery_attempts_event ON webhook_delivery_attempts (event_seq, id)",
                // Every status change writes its event (and a delivery per enabled endpoint of the client that
                // receives the type) in its own transaction, whichever statement made the change.
                """
                CREATE TRIGGER payments_client_event_on_insert AFTER INSERT ON payments BEGIN
                    INSERT INTO client_events (id, client_id, type, payment_id, status, bank_ref, return_code,
                        failure_reason, created_at)
                    SELECT \(newUUID), NEW.client_id, 'payment.' || NEW.status, NEW.id, NEW.status, NEW.bank_ref,
                        NEW.return_code, NEW.failure_reason, NEW.updated_at
                    FROM (SELECT hex(randomblob(16)) AS h);
                    \(queueDeliveries);
                END
                """,
                """
                CREATE TRIGGER payments_client_event_on_status AFTER UPDATE OF status ON payments
                WHEN NEW.status <> OLD.status BEGIN
                    INSERT INTO client_events (id, client_id, type, payment_id, status, corrected_from, bank_ref,
                        return_code, failure_reason, created_at)
                    SELECT \(newUUID), NEW.client_id,
                        CASE WHEN OLD.status = 'failed' THEN 'payment.corrected' ELSE 'payment.' || NEW.status END,
                        NEW.id, NEW.status, CASE WHEN OLD.status = 'failed' THEN OLD.status END, NEW.bank_ref,
                        NEW.return_code, NEW.failure_reason, NEW.updated_at
                    FROM (SELECT hex(randomblob(16)) AS h);
                    \(queueDeliveries);
                END
                """,
            ]
        ),
        Migration(
            version: 5, name: "finished-job retention index",
            statements: [
                "CREATE INDEX jobs_finished ON jobs (updated_at) WHERE state IN ('succeeded', 'skipped', 'reconcile')"
            ]
        ),
    ]

    /// A version-4 UUID from 16 random bytes `h` (hex), in the lower-case form the rest of the schema uses.
    private static let newUUID = """
        lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-'
            || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(h, 18, 3) || '-' || substr(h, 21, 12))
        """

    /// The deliveries of the event just written (the highest sequence: writes are serialised) to every enabled
    /// endpoint of its client that receives its type.
    static let queueDeliveries = """
        INSERT INTO webhook_deliveries (event_seq, endpoint_id, state, attempts, run_at, created_at, updated_at)
            SELECT ev.seq, e.id, 'pending', 0, ev.created_at, ev.created_at, ev.created_at
            FROM client_events ev JOIN webhook_endpoints e ON e.client_id = ev.client_id
            WHERE ev.seq = (SELECT MAX(seq) FROM client_events) AND e.status = 'enabled'
              AND (e.events IS NULL OR instr(',' || e.events || ',', ',' || ev.type || ',') > 0)
        """
}
