/// The PostgreSQL schema, version by version: the same tables, columns, constraints and indexes as
/// ``SQLiteMigrations``, in PostgreSQL types (`uuid` ids, `timestamptz` times, `bigint` amounts, `boolean` flags).
///
/// Versions only grow and an applied migration is never edited; the two databases keep their own version lists.
enum PostgresMigrations {
    /// The channel a notification goes to whenever a job is queued.
    static let jobsChannel = "payments_jobs"
    /// The channel a notification goes to whenever a client webhook delivery is queued.
    static let deliveriesChannel = "payments_deliveries"

    /// The key of the transaction-scoped advisory lock every migration transaction takes first, so that instances
    /// starting together apply each version once, one after the other. The bytes spell `payments` in ASCII; any
    /// constant works as long as nothing else in the database uses it.
    static let advisoryLockKey: Int64 = 0x7061_796D_656E_7473

    /// Created under the advisory lock, before any version is checked: concurrent `CREATE TABLE IF NOT EXISTS` is
    /// not safe in PostgreSQL (two sessions can both pass the existence check and one then fails on `pg_type`).
    static let createVersionTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer PRIMARY KEY,
            name text NOT NULL,
            applied_at timestamptz NOT NULL
        )
        """

    static let all: [Migration] = [
        Migration(
            version: 1, name: "payments, history, webhook events and jobs",
            statements: [
                """
                CREATE TABLE payments (
                    id uuid PRIMARY KEY,
                    client_id text NOT NULL,
                    client_ref text NOT NULL,
                    idempotency_key text,
                    request_fingerprint text NOT NULL,
                    amount_minor bigint NOT NULL CHECK (amount_minor > 0),
                    currency text NOT NULL,
                    recipient_type text NOT NULL,
                    recipient_name text NOT NULL,
                    recipient_account_number text,
                    recipient_routing_number text,
                    recipient_email text,
                    recipient_phone text,
                    description text,
                    status text NOT NULL,
                    bank_ref text,
                    return_code text,
                    failure_reason text,
                    attempts integer NOT NULL DEFAULT 0,
                    trace_parent text,
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL,
                    CONSTRAINT payments_client_ref UNIQUE (client_id, client_ref)
                )
                """,
                "CREATE UNIQUE INDEX payments_idempotency_key ON payments (client_id, idempotency_key) WHERE idempotency_key IS NOT NULL",
                "CREATE INDEX payments_client_created ON payments (client_id, created_at DESC, id DESC)",
                "CREATE INDEX payments_status_updated ON payments (status, updated_at)",
                """
                CREATE TABLE payment_history (
                    id bigserial PRIMARY KEY,
                    payment_id uuid NOT NULL REFERENCES payments (id),
                    status text NOT NULL,
                    source text NOT NULL,
                    applied boolean NOT NULL,
                    detail text,
                    at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX payment_history_payment ON payment_history (payment_id, id)",
                """
                CREATE TABLE webhook_events (
                    event_id text PRIMARY KEY,
                    payment_id uuid NOT NULL,
                    known_payment boolean NOT NULL,
                    status text NOT NULL,
                    bank_ref text,
                    return_code text,
                    reason text,
                    occurred_at timestamptz NOT NULL,
                    received_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX webhook_events_unknown ON webhook_events (received_at) WHERE NOT known_payment",
                """
                CREATE TABLE jobs (
                    id uuid PRIMARY KEY,
                    kind text NOT NULL,
                    payment_id uuid NOT NULL REFERENCES payments (id),
                    state text NOT NULL,
                    attempts integer NOT NULL DEFAULT 0,
                    run_at timestamptz NOT NULL,
                    lease_token uuid,
                    lease_expires_at timestamptz,
                    last_error text,
                    result text,
                    trace_parent text,
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX jobs_queued ON jobs (run_at) WHERE state = 'queued'",
                "CREATE INDEX jobs_running ON jobs (lease_expires_at) WHERE state = 'running'",
            ]
        ),
        Migration(
            version: 2, name: "corrections, reconciliation schedule and state, dead-letter index",
            statements: [
                "ALTER TABLE payment_history ADD COLUMN corrected_from text",
                "ALTER TABLE payments ADD COLUMN reconcile_after timestamptz",
                "CREATE INDEX payments_reconcile ON payments (status, updated_at, reconcile_after)",
                """
                CREATE TABLE reconciliation_state (
                    name text PRIMARY KEY,
                    watermark timestamptz,
                    lease_until timestamptz NOT NULL DEFAULT 'epoch'
                )
                """,
                "CREATE INDEX jobs_dead ON jobs (kind, updated_at) WHERE state = 'dead'",
                "CREATE INDEX jobs_payment ON jobs (payment_id, kind, state)",
            ]
        ),
        Migration(
            version: 3, name: "sealed recipient identifiers: last four digits, blind index, sealing key",
            statements: [
                "ALTER TABLE payments ADD COLUMN recipient_account_last4 text",
                "ALTER TABLE payments ADD COLUMN recipient_account_index text",
                "ALTER TABLE payments ADD COLUMN recipient_key_id text",
                "CREATE INDEX payments_account_index ON payments (recipient_account_index) WHERE recipient_account_index IS NOT NULL",
                "CREATE INDEX payments_key_id ON payments (recipient_key_id) WHERE recipient_key_id IS NOT NULL",
            ]
        ),
        Migration(
            version: 4, name: "client notifications: webhook endpoints, events, deliveries and their attempts",
            statements: [
                """
                CREATE TABLE webhook_endpoints (
                    id uuid PRIMARY KEY,
                    client_id text NOT NULL,
                    url text NOT NULL,
                    events text,
                    description text,
                    status text NOT NULL,
                    secret text NOT NULL,
                    previous_secret text,
                    previous_secret_expires_at timestamptz,
                    failing_since timestamptz,
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX webhook_endpoints_client ON webhook_endpoints (client_id, created_at)",
                // `txid` is the writing transaction's id: the feed lists an event only once every transaction older
                // than the reader's snapshot has ended, so events that commit out of order are never skipped.
                """
                CREATE TABLE client_events (
                    seq bigserial PRIMARY KEY,
                    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
                    id uuid NOT NULL UNIQUE,
                    client_id text NOT NULL,
                    type text NOT NULL,
                    payment_id uuid,
                    endpoint_id uuid,
                    status text,
                    corrected_from text,
                    bank_ref text,
                    return_code text,
                    failure_reason text,
                    created_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX client_events_feed ON client_events (client_id, txid, seq)",
                "CREATE INDEX client_events_created ON client_events (created_at)",
                """
                CREATE TABLE webhook_deliveries (
                    id bigserial PRIMARY KEY,
                    event_seq bigint NOT NULL,
                    endpoint_id uuid NOT NULL,
                    state text NOT NULL,
                    attempts integer NOT NULL DEFAULT 0,
                    run_at timestamptz NOT NULL,
                    lease_token uuid,
                    lease_expires_at timestamptz,
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (run_at) WHERE state = 'pending'",
                "CREATE INDEX webhook_deliveries_running ON webhook_deliveries (lease_expires_at) WHERE state = 'delivering'",
                "CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_seq)",
                "CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, state)",
                """
                CREATE TABLE webhook_delivery_attempts (
                    id bigserial PRIMARY KEY,
                    event_seq bigint NOT NULL,
                    endpoint_id uuid NOT NULL,
                    at timestamptz NOT NULL,
                    status_code integer,
                    latency_us bigint NOT NULL,
                    error text
                )
                """,
                "CREATE INDEX webhook_delivery_attempts_event ON webhook_delivery_attempts (event_seq, id)",
                // Every status change writes its event (and a delivery per enabled endpoint of the client that
                // receives the type) in its own transaction, whichever statement made the change.
                """
                CREATE FUNCTION payments_client_event() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    corrected text;
                    event_type text;
                    new_seq bigint;
                BEGIN
                    IF TG_OP = 'UPDATE' AND OLD.status = 'failed' THEN
                        corrected := OLD.status;
                        event_type := 'payment.corrected';
                    ELSE
                        event_type := 'payment.' || NEW.status;
                    END IF;
                    INSERT INTO client_events (id, client_id, type, payment_id, status, corrected_from, bank_ref,
                        return_code, failure_reason, created_at)
                    VALUES (gen_random_uuid(), NEW.client_id, event_type, NEW.id, NEW.status, corrected, NEW.bank_ref,
                        NEW.return_code, NEW.failure_reason, NEW.updated_at)
                    RETURNING seq INTO new_seq;
                    INSERT INTO webhook_deliveries (event_seq, endpoint_id, state, attempts, run_at, created_at,
                        updated_at)
                    SELECT new_seq, e.id, 'pending', 0, NEW.updated_at, NEW.updated_at, NEW.updated_at
                    FROM webhook_endpoints e
                    WHERE e.client_id = NEW.client_id AND e.status = 'enabled'
                      AND (e.events IS NULL OR event_type = ANY (string_to_array(e.events, ',')));
                    RETURN NULL;
                END
                $$
                """,
                """
                CREATE TRIGGER payments_client_event_on_insert AFTER INSERT ON payments
                FOR EACH ROW EXECUTE FUNCTION payments_client_event()
                """,
                """
                CREATE TRIGGER payments_client_event_on_status AFTER UPDATE OF status ON payments
                FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status) EXECUTE FUNCTION payments_client_event()
                """,
            ]
        ),
        Migration(
            version: 5, name: "wake-ups for queued work, finished-job retention index",
            statements: [
                // Sent in the transaction that queues the work, so delivered only once it is visible; PostgreSQL
                // folds identical notifications of one transaction into one. Retries put off by a worker are not
                // announced: that worker wakes itself when they are due.
                """
                CREATE FUNCTION payments_notify_queued() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify(TG_ARGV[0], '');
                    RETURN NULL;
                END
                $$
                """,
                """
                CREATE TRIGGER jobs_notify_queued AFTER INSERT ON jobs
                FOR EACH ROW WHEN (NEW.state = 'queued') EXECUTE FUNCTION payments_notify_queued('\(jobsChannel)')
                """,
                """
                CREATE TRIGGER jobs_notify_requeued AFTER UPDATE OF state ON jobs
                FOR EACH ROW WHEN (NEW.state = 'queued' AND OLD.state = 'dead')
                EXECUTE FUNCTION payments_notify_queued('\(jobsChannel)')
                """,
                """
                CREATE TRIGGER webhook_deliveries_notify_queued AFTER INSERT ON webhook_deliveries
                FOR EACH ROW WHEN (NEW.state = 'pending') EXECUTE FUNCTION payments_notify_queued('\(deliveriesChannel)')
                """,
                """
                CREATE TRIGGER webhook_deliveries_notify_requeued AFTER UPDATE OF state ON webhook_deliveries
                FOR EACH ROW WHEN (NEW.state = 'pending' AND OLD.state NOT IN ('pending', 'delivering'))
                EXECUTE FUNCTION payments_notify_queued('\(deliveriesChannel)')
                """,
                "CREATE INDEX jobs_finished ON jobs (updated_at) WHERE state IN ('succeeded', 'skipped', 'reconcile')",
            ]
        ),
    ]
}
