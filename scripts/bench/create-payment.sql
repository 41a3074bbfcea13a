-- pgbench script: the statements PostgresPaymentStore.create runs for one new payment, in one transaction, with the
-- same round trips: insert the payment (ON CONFLICT DO NOTHING RETURNING id), its first history entry and its submit
-- job, then read the payment and its history back for the response.
\set amount random(100, 100000)
BEGIN;
INSERT INTO payments (id, client_id, client_ref, idempotency_key, request_fingerprint, amount_minor, currency,
    recipient_type, recipient_name, recipient_account_number, recipient_routing_number, recipient_email,
    recipient_phone, description, status, attempts, trace_parent, created_at, updated_at)
VALUES (gen_random_uuid(), 'bench', 'PGB-' || gen_random_uuid(), NULL, md5(random()::text), :amount, 'USD',
    'bank_account', 'Acme LLC', '000123456789', '021000021', NULL, NULL, NULL, 'initiated', 0,
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', now(), now())
ON CONFLICT DO NOTHING
RETURNING id AS payment_id \gset
INSERT INTO payment_history (payment_id, status, source, applied, detail, at)
VALUES (:payment_id::uuid, 'initiated', 'api', true, NULL, now());
INSERT INTO jobs (id, kind, payment_id, state, attempts, run_at, trace_parent, created_at, updated_at)
VALUES (gen_random_uuid(), 'submit', :payment_id::uuid, 'queued', 0, now(), NULL, now(), now());
SELECT id, client_id, client_ref, amount_minor, currency, recipient_type, recipient_name, recipient_account_number,
    recipient_routing_number, recipient_email, recipient_phone, description, status, bank_ref, return_code,
    failure_reason, attempts, trace_parent, created_at, updated_at, request_fingerprint
FROM payments WHERE id = :payment_id::uuid;
SELECT status, at, source, applied, detail FROM payment_history WHERE payment_id = :payment_id::uuid ORDER BY id;
COMMIT;
