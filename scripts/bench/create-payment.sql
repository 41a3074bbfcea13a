-- pgbench script: the same statements the PostgreSQL create path runs for one new payment, in one transaction
-- (insert the payment, its first history entry and its submit job).
\set amount random(100, 100000)
BEGIN;
WITH p AS (
  INSERT INTO payments (id, client_id, client_ref, idempotency_key, request_fingerprint, amount_minor, currency,
      recipient_type, recipient_name, recipient_account_number, recipient_routing_number, description, status,
      attempts, trace_parent, created_at, updated_at)
  VALUES (gen_random_uuid(), 'bench', 'PGB-' || gen_random_uuid(), NULL, md5(random()::text), :amount, 'USD',
      'bank_account', 'Acme LLC', '000123456789', '021000021', NULL, 'initiated', 0, NULL, now(), now())
  ON CONFLICT DO NOTHING
  RETURNING id
)
INSERT INTO payment_history (payment_id, status, source, applied, detail, at)
SELECT id, 'initiated', 'api', true, NULL, now() FROM p;
INSERT INTO jobs (id, kind, payment_id, state, attempts, run_at, trace_parent, created_at, updated_at)
SELECT gen_random_uuid(), 'submit', id, 'queued', 0, now(), NULL, now(), now()
FROM payments WHERE client_id = 'bench' ORDER BY created_at DESC LIMIT 1;
COMMIT;
