-- wrk script: POST /v1/payments with a unique client_ref per request (per thread counter + thread id + run nonce),
-- so every request creates a payment, as a busy ERP would. BENCH_PREFIX replaces the BENCH prefix.
local counter = 0
local thread_id = 0
local threads = {}
local nonce = tostring(os.time())
local prefix = os.getenv("BENCH_PREFIX") or "BENCH"

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  thread_id = id
  key = os.getenv("PAYMENTS_API_KEY") or ""
end

function request()
  counter = counter + 1
  local ref = string.format("%s-%s-%d-%d", prefix, nonce, thread_id, counter)
  local body = string.format('{"amount": %d, "currency": "USD", "client_ref": "%s", "recipient": {"type": "bank_account", "name": "Acme LLC", "account_number": "000123456789", "routing_number": "021000021"}}', 100 + counter % 1000, ref)
  return wrk.format("POST", "/v1/payments", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. key,
  }, body)
end

local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("latency_p50_ms %.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("latency_p99_ms %.2f\n", latency:percentile(99) / 1000))
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("non_2xx %d\n", summary.errors.status))
  io.write(string.format("socket_errors %d\n", summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("duration_s %.2f\n", summary.duration / 1e6))
end
