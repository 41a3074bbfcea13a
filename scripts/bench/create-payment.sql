-- pgbench script: the statement PostgresPaymentStore.create runs for a new payment (PostgresStatements.CreatePayment,
-- a named prepared statement: run it with -M prepared), with the same text; only the values differ. Those the server
-- would be sent as parameters are computed here by the server instead (pgbench has no uuid or string functions) -- a
-- little more work for pgbench, not less. One statement whose data-modifying CTEs insert the payment (ON CONFLICT DO
-- NOTHING), its first history entry and its submit job atomically, in one round trip.
\set amount random(100, 100000)
WITH inserted AS (
    INSERT INTO payments (id, client_id, client_ref, idempotency_key, request_fingerprint, amount_minor,
        currency, recipient_type, recipient_name, recipient_account_number, recipient_routing_number,
        recipient_email, recipient_phone, description, status, attempts, trace_parent, created_at,
        updated_at)
    VALUES (gen_random_uuid(), 'bench', 'PGB-' || gen_random_uuid(), NULL, md5(random()::text), :amount, 'USD',
        'bank_account', 'Acme LLC', '000123456789', '021000021', NULL, NULL, NULL, 'initiated', 0,
        '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', now(), now())
    ON CONFLICT DO NOTHING
    RETURNING id
), history AS (
    INSERT INTO payment_history (payment_id, status, source, applied, detail, at)
    SELECT id, 'initiated', 'api', true, NULL, now() FROM inserted
), job AS (
    INSERT INTO jobs (id, kind, payment_id, state, attempts, run_at, trace_parent, created_at, updated_at)
    SELECT gen_random_uuid(), 'submit', id, 'queued', 0, now(), '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        now(), now() FROM inserted
)
SELECT id FROM inserted;
