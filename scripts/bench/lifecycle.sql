-- pgbench script: the statements one payment's lifecycle runs on PostgreSQL, in order, with the service's SQL
-- (PostgresStatements), prepared (-M prepared) as the service prepares them. Values the service binds are computed
-- here by the server (pgbench has no uuid or string functions). The lifecycle with no ERP configured and no client
-- webhook endpoint, as in scripts/bench/lifecycle.sh:
--   1. the create (payment, history entry, submit job; the client-event trigger fires);
--   2. a worker claims a due submit job, as the worker does (SKIP LOCKED, through the partial index);
--   3. the bank accepts: BEGIN, the job ends and its payment is locked, the transition to processing (history
--      entry), COMMIT;
--   4. the bank's processing webhook (already in that status: recorded, nothing changes);
--   5. the bank's completed webhook (transition, history entry, ERP job);
--   6. a worker claims a due ERP job (the final status's) and ends it (skipped: no ERP configured).
-- A claim that finds nothing (another client took the last due job) returns a row of NULLs, and the statements that
-- follow it change nothing, as the service's would not run.
\set amount random(100, 100000)
WITH inserted AS (
    INSERT INTO payments (id, client_id, client_ref, idempotency_key, request_fingerprint, amount_minor, currency,
        recipient_type, recipient_name, recipient_account_number, recipient_routing_number, recipient_email,
        recipient_phone, description, status, attempts, trace_parent, created_at, updated_at, recipient_account_last4,
        recipient_account_index, recipient_key_id)
    VALUES (gen_random_uuid(), 'bench', 'PGB-' || gen_random_uuid(), NULL, md5(random()::text), :amount, 'USD',
        'bank_account', 'Acme LLC', 'v1.bench.' || md5(random()::text) || md5(random()::text), '021000021', NULL, NULL,
        NULL, 'initiated', 0, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', now(), now(), '6789',
        md5(random()::text), 'bench')
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
-- 2. Claim a submit job (PostgresStatements.ClaimJob, kinds {submit}).
WITH expired AS (
    SELECT id FROM jobs
    WHERE state = 'running' AND lease_expires_at <= now() AND kind = ANY('{submit}'::text[])
    ORDER BY lease_expires_at LIMIT 1
    FOR UPDATE SKIP LOCKED
), due AS (
    SELECT id FROM jobs
    WHERE state = 'queued' AND run_at <= now() AND kind = ANY('{submit}'::text[])
    ORDER BY run_at LIMIT 1
    FOR UPDATE SKIP LOCKED
), next AS (
    SELECT id FROM expired UNION ALL SELECT id FROM due LIMIT 1
), claimed AS (
    UPDATE jobs SET state = 'running', attempts = jobs.attempts + 1, lease_token = '6f1b7e1e-0000-4000-8000-000000000001',
        lease_expires_at = now() + interval '30 seconds', updated_at = now()
    FROM next WHERE jobs.id = next.id
    RETURNING jobs.id, jobs.kind, jobs.payment_id, jobs.attempts, jobs.created_at, jobs.trace_parent
), counted AS (
    UPDATE payments SET attempts = claimed.attempts FROM claimed
    WHERE payments.id = claimed.payment_id AND claimed.kind = 'submit'
)
SELECT claimed.id AS submit_job, claimed.payment_id AS payment, p.id, p.client_id, p.client_ref, p.amount_minor,
    p.currency, p.recipient_type, p.recipient_name, p.recipient_account_number, p.recipient_routing_number,
    p.recipient_email, p.recipient_phone, p.description, p.status, p.bank_ref, p.return_code, p.failure_reason,
    p.attempts, p.trace_parent, p.created_at, p.updated_at, p.request_fingerprint, p.recipient_account_last4,
    p.recipient_account_index, p.recipient_key_id
FROM (SELECT 1) AS always LEFT JOIN claimed ON true LEFT JOIN payments p ON p.id = claimed.payment_id
\gset
-- 3. The bank accepted: the job ends, the payment is locked, the transition to processing (one transaction; no
--    follow-up job: only final statuses have one).
BEGIN;
WITH finished AS (
    UPDATE jobs SET state = 'succeeded', result = NULL::text, lease_token = NULL, lease_expires_at = NULL, updated_at = now()
    WHERE id = NULLIF(:submit_job, '')::uuid AND state = 'running' AND lease_token = '6f1b7e1e-0000-4000-8000-000000000001'
    RETURNING id
)
SELECT (SELECT count(*) FROM finished), id, client_id, client_ref, amount_minor, currency, recipient_type,
    recipient_name, recipient_account_number, recipient_routing_number, recipient_email, recipient_phone, description,
    status, bank_ref, return_code, failure_reason, attempts, trace_parent, created_at, updated_at, request_fingerprint,
    recipient_account_last4, recipient_account_index, recipient_key_id
FROM payments WHERE id = NULLIF(:payment, '')::uuid FOR NO KEY UPDATE;
WITH updated AS (
    UPDATE payments SET status = 'processing', bank_ref = COALESCE('BANK-' || left(md5(random()::text), 12), bank_ref),
        return_code = COALESCE(NULL::text, return_code),
        failure_reason = COALESCE(NULL::text, failure_reason),
        updated_at = now(), reconcile_after = NULL
    WHERE id = NULLIF(:payment, '')::uuid
    RETURNING id
), history AS (
    INSERT INTO payment_history (payment_id, status, source, applied, detail, at, corrected_from)
    SELECT id, 'processing', 'bank', true, 'bank accepted the submission', now(), NULL::text FROM updated
)
SELECT status, at, source, applied, detail, corrected_from FROM payment_history
WHERE payment_id = NULLIF(:payment, '')::uuid ORDER BY id;
COMMIT;
-- 4. The processing webhook (PostgresStatements.RecordWebhook): the payment is already processing.
WITH inserted AS (
    INSERT INTO webhook_events (event_id, payment_id, known_payment, status, bank_ref, return_code, reason,
        occurred_at, received_at)
    SELECT 'evt_' || md5(random()::text), NULLIF(:payment, '')::uuid,
        EXISTS (SELECT 1 FROM payments WHERE id = NULLIF(:payment, '')::uuid), 'processing', NULL::text, NULL::text,
        NULL::text, now(), now()
    WHERE NULLIF(:payment, '') IS NOT NULL
    ON CONFLICT (event_id) DO NOTHING
    RETURNING known_payment
), locked AS (
    SELECT id, client_id, client_ref, amount_minor, currency, recipient_type, recipient_name, recipient_account_number,
        recipient_routing_number, recipient_email, recipient_phone, description, status, bank_ref, return_code,
        failure_reason, attempts, trace_parent, created_at, updated_at, request_fingerprint, recipient_account_last4,
        recipient_account_index, recipient_key_id, xmin::text AS row_version FROM payments
    WHERE id = NULLIF(:payment, '')::uuid AND EXISTS (SELECT 1 FROM inserted WHERE known_payment)
    FOR NO KEY UPDATE
), decision AS (
    SELECT locked.id, locked.trace_parent, locked.status AS current_status, d.action, d.note, d.followup,
        d.action IN ('transition', 'correction') AS changes
    FROM locked
    JOIN unnest('{initiated,processing,completed,returned,failed}'::text[], '{transition,already,record_only,record_only,correction}'::text[],
        '{"","","","",""}'::text[], '{"","","","",erp_update}'::text[]) AS d (current_status, action, note, followup)
        ON d.current_status = locked.status
), updated AS (
    UPDATE payments SET
        status = CASE WHEN decision.changes THEN 'processing' ELSE payments.status END,
        bank_ref = CASE WHEN decision.changes THEN COALESCE(NULL::text, payments.bank_ref)
            ELSE COALESCE(payments.bank_ref, NULL::text) END,
        return_code = CASE WHEN decision.changes THEN COALESCE(NULL::text, payments.return_code)
            ELSE payments.return_code END,
        failure_reason = CASE WHEN decision.action = 'correction' THEN NULL::text
            WHEN decision.action = 'transition' THEN COALESCE(NULL::text, payments.failure_reason)
            ELSE payments.failure_reason END,
        updated_at = CASE WHEN decision.action = 'already' THEN payments.updated_at ELSE now() END,
        reconcile_after = CASE WHEN decision.changes THEN NULL ELSE payments.reconcile_after END
    FROM decision
    WHERE payments.id = decision.id
        AND (decision.action <> 'already' OR (payments.bank_ref IS NULL AND NULL::text IS NOT NULL))
), history AS (
    INSERT INTO payment_history (payment_id, status, source, applied, detail, at, corrected_from)
    SELECT decision.id, 'processing', 'webhook', decision.changes,
        CASE WHEN decision.changes THEN 'bank webhook'::text ELSE decision.note END, now(),
        CASE WHEN decision.action = 'correction' THEN decision.current_status END
    FROM decision WHERE decision.action <> 'already'
    RETURNING id
), followup AS (
    INSERT INTO jobs (id, kind, payment_id, state, attempts, run_at, trace_parent, created_at, updated_at)
    SELECT gen_random_uuid(), followup_kind, decision.id, 'queued', 0, now(), decision.trace_parent, now(), now()
    FROM decision, unnest(string_to_array(NULLIF(decision.followup, ''), ',')) AS followup_kind
    WHERE decision.changes
)
SELECT inserted.known_payment, locked.id, locked.client_id, locked.client_ref, locked.amount_minor, locked.currency,
    locked.recipient_type, locked.recipient_name, locked.recipient_account_number, locked.recipient_routing_number,
    locked.recipient_email, locked.recipient_phone, locked.description, locked.status, locked.bank_ref,
    locked.return_code, locked.failure_reason, locked.attempts, locked.trace_parent, locked.created_at,
    locked.updated_at, locked.request_fingerprint, locked.recipient_account_last4, locked.recipient_account_index,
    locked.recipient_key_id, locked.row_version,
    (SELECT xmin::text FROM payments WHERE id = NULLIF(:payment, '')::uuid),
    (SELECT json_agg(json_build_array(h.status, (extract(epoch FROM h.at) * 1000000)::int8, h.source,
        h.applied, h.detail, h.corrected_from) ORDER BY h.id)::text
     FROM payment_history h WHERE h.payment_id = NULLIF(:payment, '')::uuid AND EXISTS (SELECT 1 FROM locked)),
    (SELECT id FROM history)
FROM inserted LEFT JOIN locked ON true;
-- 5. The completed webhook: a transition, with its ERP job.
WITH inserted AS (
    INSERT INTO webhook_events (event_id, payment_id, known_payment, status, bank_ref, return_code, reason,
        occurred_at, received_at)
    SELECT 'evt_' || md5(random()::text), NULLIF(:payment, '')::uuid,
        EXISTS (SELECT 1 FROM payments WHERE id = NULLIF(:payment, '')::uuid), 'completed', NULL::text, NULL::text,
        NULL::text, now(), now()
    WHERE NULLIF(:payment, '') IS NOT NULL
    ON CONFLICT (event_id) DO NOTHING
    RETURNING known_payment
), locked AS (
    SELECT id, client_id, client_ref, amount_minor, currency, recipient_type, recipient_name, recipient_account_number,
        recipient_routing_number, recipient_email, recipient_phone, description, status, bank_ref, return_code,
        failure_reason, attempts, trace_parent, created_at, updated_at, request_fingerprint, recipient_account_last4,
        recipient_account_index, recipient_key_id, xmin::text AS row_version FROM payments
    WHERE id = NULLIF(:payment, '')::uuid AND EXISTS (SELECT 1 FROM inserted WHERE known_payment)
    FOR NO KEY UPDATE
), decision AS (
    SELECT locked.id, locked.trace_parent, locked.status AS current_status, d.action, d.note, d.followup,
        d.action IN ('transition', 'correction') AS changes
    FROM locked
    JOIN unnest('{initiated,processing,completed,returned,failed}'::text[], '{transition,transition,already,record_only,correction}'::text[],
        '{"","","","",""}'::text[], '{erp_update,erp_update,"","",erp_update}'::text[]) AS d (current_status, action, note, followup)
        ON d.current_status = locked.status
), updated AS (
    UPDATE payments SET
        status = CASE WHEN decision.changes THEN 'completed' ELSE payments.status END,
        bank_ref = CASE WHEN decision.changes THEN COALESCE(NULL::text, payments.bank_ref)
            ELSE COALESCE(payments.bank_ref, NULL::text) END,
        return_code = CASE WHEN decision.changes THEN COALESCE(NULL::text, payments.return_code)
            ELSE payments.return_code END,
        failure_reason = CASE WHEN decision.action = 'correction' THEN NULL::text
            WHEN decision.action = 'transition' THEN COALESCE(NULL::text, payments.failure_reason)
            ELSE payments.failure_reason END,
        updated_at = CASE WHEN decision.action = 'already' THEN payments.updated_at ELSE now() END,
        reconcile_after = CASE WHEN decision.changes THEN NULL ELSE payments.reconcile_after END
    FROM decision
    WHERE payments.id = decision.id
        AND (decision.action <> 'already' OR (payments.bank_ref IS NULL AND NULL::text IS NOT NULL))
), history AS (
    INSERT INTO payment_history (payment_id, status, source, applied, detail, at, corrected_from)
    SELECT decision.id, 'completed', 'webhook', decision.changes,
        CASE WHEN decision.changes THEN 'bank webhook'::text ELSE decision.note END, now(),
        CASE WHEN decision.action = 'correction' THEN decision.current_status END
    FROM decision WHERE decision.action <> 'already'
    RETURNING id
), followup AS (
    INSERT INTO jobs (id, kind, payment_id, state, attempts, run_at, trace_parent, created_at, updated_at)
    SELECT gen_random_uuid(), followup_kind, decision.id, 'queued', 0, now(), decision.trace_parent, now(), now()
    FROM decision, unnest(string_to_array(NULLIF(decision.followup, ''), ',')) AS followup_kind
    WHERE decision.changes
)
SELECT inserted.known_payment, locked.id, locked.client_id, locked.client_ref, locked.amount_minor, locked.currency,
    locked.recipient_type, locked.recipient_name, locked.recipient_account_number, locked.recipient_routing_number,
    locked.recipient_email, locked.recipient_phone, locked.description, locked.status, locked.bank_ref,
    locked.return_code, locked.failure_reason, locked.attempts, locked.trace_parent, locked.created_at,
    locked.updated_at, locked.request_fingerprint, locked.recipient_account_last4, locked.recipient_account_index,
    locked.recipient_key_id, locked.row_version,
    (SELECT xmin::text FROM payments WHERE id = NULLIF(:payment, '')::uuid),
    (SELECT json_agg(json_build_array(h.status, (extract(epoch FROM h.at) * 1000000)::int8, h.source,
        h.applied, h.detail, h.corrected_from) ORDER BY h.id)::text
     FROM payment_history h WHERE h.payment_id = NULLIF(:payment, '')::uuid AND EXISTS (SELECT 1 FROM locked)),
    (SELECT id FROM history)
FROM inserted LEFT JOIN locked ON true;
-- 6. The ERP job: claimed (PostgresStatements.ClaimJob, kinds {erp_update}) and ended.
WITH expired AS (
    SELECT id FROM jobs
    WHERE state = 'running' AND lease_expires_at <= now() AND kind = ANY('{erp_update}'::text[])
    ORDER BY lease_expires_at LIMIT 1
    FOR UPDATE SKIP LOCKED
), due AS (
    SELECT id FROM jobs
    WHERE state = 'queued' AND run_at <= now() AND kind = ANY('{erp_update}'::text[])
    ORDER BY run_at LIMIT 1
    FOR UPDATE SKIP LOCKED
), next AS (
    SELECT id FROM expired UNION ALL SELECT id FROM due LIMIT 1
), claimed AS (
    UPDATE jobs SET state = 'running', attempts = jobs.attempts + 1, lease_token = '6f1b7e1e-0000-4000-8000-000000000002',
        lease_expires_at = now() + interval '30 seconds', updated_at = now()
    FROM next WHERE jobs.id = next.id
    RETURNING jobs.id, jobs.kind, jobs.payment_id, jobs.attempts, jobs.created_at, jobs.trace_parent
), counted AS (
    UPDATE payments SET attempts = claimed.attempts FROM claimed
    WHERE payments.id = claimed.payment_id AND claimed.kind = 'submit'
)
SELECT claimed.id AS erp_job, p.id, p.client_id, p.client_ref, p.amount_minor, p.currency, p.recipient_type,
    p.recipient_name, p.recipient_account_number, p.recipient_routing_number, p.recipient_email, p.recipient_phone,
    p.description, p.status, p.bank_ref, p.return_code, p.failure_reason, p.attempts, p.trace_parent, p.created_at,
    p.updated_at, p.request_fingerprint, p.recipient_account_last4, p.recipient_account_index, p.recipient_key_id
FROM (SELECT 1) AS always LEFT JOIN claimed ON true LEFT JOIN payments p ON p.id = claimed.payment_id
\gset
UPDATE jobs SET state = 'skipped', result = 'no ERP configured'::text, lease_token = NULL, lease_expires_at = NULL,
    updated_at = now()
WHERE id = NULLIF(:erp_job, '')::uuid AND state = 'running' AND lease_token = '6f1b7e1e-0000-4000-8000-000000000002'
RETURNING id;
