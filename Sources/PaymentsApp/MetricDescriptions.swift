/// The description of every metric the service registers: the `# HELP` text on `/metrics` and the description
/// exported over OTLP. `docs/metrics.md` lists the same names (a test keeps them in step).
public enum MetricDescriptions {
    /// Descriptions by metric name.
    public static let all: [String: String] = [
        "payment_status_total": "Transitions into each payment status.",
        "payment_retry_count": "Retries so far of each payment waiting to retry (removed when it settles).",
        "payment_webhook_latency_seconds": "Webhook receipt to acknowledgement.",
        "payment_webhook_delivery_lag_seconds":
            "Bank event occurred_at to webhook receipt (0 when the bank's clock is ahead).",
        "payment_returns_total":
            "Returned payments by ACH return code and NACHA class (unauthorized, administrative, other).",
        "payment_client_returns_total": "Returned payments by client and NACHA return class.",
        "payment_entries_total":
            "Payments the bank accepted (ACH entries originated), by client: the return rates' denominator.",
        "payment_submission_delay_seconds":
            "Payment acceptance to the end of its bank submission (accepted, rejected or given up).",
        "http_server_request_duration_seconds": "HTTP requests served, by route template, method and status code.",
        "http_server_active_requests": "HTTP requests being served now, by method.",
        "bank_request_duration_seconds": "Calls to the partner bank by operation and outcome.",
        "bank_circuit_state": "Bank throttle state: 0 open, 1 throttling, 2 dead (one probe a second).",
        "bank_throttle_rejection_ratio": "Share of bank calls the adaptive throttle refuses locally now.",
        "bank_sandbox_in_use": "1 when payments settle against the built-in bank sandbox (no money moves).",
        "payment_status_corrections_total": "Payment statuses corrected by the bank's record, by from and to.",
        "reconciliation_runs_total": "Reconciliation runs, by outcome.",
        "reconciliation_mismatches_total": "Differences reconciliation found between our record and the bank's.",
        "payment_unreconciled": "Payments only reconciliation can settle now, by reason.",
        "payment_unreconciled_oldest_age_seconds": "Age of the oldest payment only reconciliation can settle now.",
        "job_dead_letters_total": "Durable jobs given up on (dead-lettered), by kind.",
        "payment_sealed_values": "Payments and webhook endpoint secrets each data key seals, by key id.",
        "payment_account_numbers_destroyed_total": "Sealed account numbers destroyed once past their retention.",
        "api_rate_limited_total": "Client API requests refused with 429 by the client's rate limit, by client.",
        "http_connections_refused_total": "HTTP connections over PAYMENTS_HTTP_MAX_CONNECTIONS, refused with 503.",
        "webhook_rejected_total": "Webhooks refused, by reason.",
        "payment_time_to_terminal_seconds": "Payment creation to completed, returned or failed.",
        "job_queue_depth": "Durable jobs queued or running, by kind.",
        "job_queue_oldest_age_seconds": "Age of the oldest queued or running job, by kind.",
        "client_webhook_deliveries_total": "Attempts to deliver client events to their endpoints, by outcome.",
        "client_webhook_delivery_duration_seconds": "Each attempt to deliver a client event, address check included.",
        "client_webhook_endpoints_disabled_total":
            "Client webhook endpoints disabled for failing past the retry window.",
        "client_webhook_deliveries_pending": "Client event deliveries waiting, retrying or in flight.",
        "client_webhook_oldest_undelivered_age_seconds": "Age of the oldest client event with a delivery pending.",
        "telemetry_spans_dropped_total":
            "Spans and log records dropped by the telemetry runtime on a full queue, by signal.",
        "telemetry_export_failures_total": "Failed telemetry exports, by signal.",
    ]
}
