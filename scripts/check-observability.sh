#!/usr/bin/env bash
# Proves the observability stack's configuration without Docker:
#   1. parses compose.yaml, the collector, Prometheus and Grafana provisioning, and every dashboard JSON;
#   2. `promtool check config`, `promtool check rules` and `promtool test rules` on every rule file;
#   3. runs `payments serve` (embedded default, temporary SQLite, SANDBOX_RETURN_RATE=0.3) under a small load,
#      with Debian's /usr/bin/prometheus scraping its /metrics every second and loading the rule files, then
#      evaluates every dashboard panel query, template-variable query and alert expression through
#      Prometheus' HTTP API: each must parse, and each panel query must return data.
# Usage: scripts/check-observability.sh   (needs .build/debug/payments: run `swift build` first)
# Env: PAYMENTS_BIN (default .build/debug/payments), LOAD_PAYMENTS (default 40).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BIN=${PAYMENTS_BIN:-.build/debug/payments}
LOAD_PAYMENTS=${LOAD_PAYMENTS:-40}
API_KEY=sk_demo_0123456789abcdef

PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); echo "  ok    $*"; }
fail() { FAILED=$((FAILED + 1)); echo "  FAIL  $*"; }
# Counts the "ok"/"FAIL" lines a helper printed (and echoes them).
tally() {
    local line
    while IFS= read -r line; do
        case "$line" in
            "  ok    "*) PASSED=$((PASSED + 1)) ;;
            "  FAIL  "*) FAILED=$((FAILED + 1)) ;;
        esac
        echo "$line"
    done
}
summary() {
    echo "observability: $PASSED checks passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/check-observability.XXXXXX")
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        # Bounded: give each process 5 s to exit, then SIGKILL it.
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    [ -n "${KEEP_WORK:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- prerequisites -----------------------------------------------------------------------------------------
# On a fresh Debian machine: python3 with PyYAML and curl (scripts/test.sh has installed prometheus/promtool).
if ! command -v curl >/dev/null || ! python3 -c 'import yaml' 2>/dev/null; then
    echo "==> installing python3, python3-yaml, curl"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3 python3-yaml curl >/dev/null || true
fi
for tool in python3 promtool curl; do
    command -v "$tool" >/dev/null || { fail "$tool is not installed"; summary; exit 1; }
done
PROMETHEUS=${PROMETHEUS_BIN:-/usr/bin/prometheus}
[ -x "$PROMETHEUS" ] || PROMETHEUS=$(command -v prometheus || true)

cat >"$WORK/check.py" <<'PY'
"""Static and live checks of the observability configuration. Prints '  ok    ...' / '  FAIL  ...' lines."""
import glob, json, os, re, sys, time, urllib.parse, urllib.request
import yaml

ROOT = os.getcwd()
results = []
def ok(msg): print(f"  ok    {msg}", flush=True)
def fail(msg): print(f"  FAIL  {msg}", flush=True)
def check(cond, msg, detail=""):
    (ok if cond else fail)(msg if cond or not detail else f"{msg}: {detail}")
    return cond

def load_yaml(path):
    try:
        with open(path) as f:
            data = yaml.safe_load(f)
        check(isinstance(data, dict), f"{path} parses as YAML")
        return data if isinstance(data, dict) else {}
    except Exception as e:  # noqa: BLE001
        fail(f"{path} parses as YAML: {e}")
        return {}

def dashboards():
    out = []
    for path in sorted(glob.glob("dashboards/json/*.json")):
        try:
            with open(path) as f:
                out.append((path, json.load(f)))
            ok(f"{path} parses as JSON")
        except Exception as e:  # noqa: BLE001
            fail(f"{path} parses as JSON: {e}")
    return out

def panels_of(dash):
    for p in dash.get("panels", []):
        yield p
        yield from p.get("panels", [])

def prometheus_rules():
    rules = {}
    for path in sorted(glob.glob("otel/rules/*.yml")):
        if path.endswith(".test.yml"):
            continue
        with open(path) as f:
            for group in yaml.safe_load(f).get("groups", []):
                for rule in group.get("rules", []):
                    if "alert" in rule:
                        rules[rule["alert"]] = rule
    return rules

def grafana_rules():
    rules = {}
    for path in sorted(glob.glob("dashboards/provisioning/alerting/*.yaml")):
        with open(path) as f:
            for group in (yaml.safe_load(f) or {}).get("groups", []):
                for rule in group.get("rules", []):
                    rules[rule["title"]] = rule
    return rules

EXPECTED_ALERTS = {"PaymentReturnRateHigh", "PaymentsStuckInProcessing", "BankCircuitOpen",
                   "WebhookSignatureFailuresSpike", "TelemetryDropping"}

# ------------------------------------------------------------------------------------------------------------
def static():
    # compose.yaml
    compose = load_yaml("compose.yaml")
    services = compose.get("services", {}) or {}
    wanted = ["postgres", "orchestrator", "bank-sandbox", "otel-collector", "jaeger", "prometheus", "grafana"]
    check(all(s in services for s in wanted), "compose.yaml has every service",
          f"missing {[s for s in wanted if s not in services]}")
    declared_volumes = set((compose.get("volumes") or {}).keys())
    images = {"otel-collector": "otel/opentelemetry-collector-contrib:", "jaeger": "jaegertracing/all-in-one:",
              "prometheus": "prom/prometheus:", "grafana": "grafana/grafana:", "postgres": "postgres:"}
    for name, prefix in images.items():
        image = (services.get(name) or {}).get("image", "")
        tag = image.split(":", 1)[1] if ":" in image else ""
        check(image.startswith(prefix) and tag and tag != "latest" and re.search(r"\d", tag),
              f"compose {name} image pinned ({image})")
    for name, svc in services.items():
        svc = svc or {}
        for dep, cond in (svc.get("depends_on") or {}).items():
            check(dep in services and (cond or {}).get("condition") in
                  ("service_started", "service_healthy", "service_completed_successfully"),
                  f"compose {name} depends_on {dep} with a condition")
            if (cond or {}).get("condition") == "service_healthy":
                check("healthcheck" in (services.get(dep) or {}), f"compose {dep} has the healthcheck {name} waits for")
        for vol in svc.get("volumes") or []:
            src = vol.split(":", 1)[0]
            if src.startswith("."):
                check(os.path.exists(os.path.join(ROOT, src)), f"compose {name} mount {src} exists")
            else:
                check(src in declared_volumes, f"compose {name} named volume {src} is declared")
    orch_env = (services.get("orchestrator") or {}).get("environment") or {}
    for key in ("DATABASE_URL", "PAYMENTS_API_KEYS", "BANK_BASE_URL", "BANK_WEBHOOK_SECRET", "OTEL_SERVICE_NAME"):
        check(key in orch_env, f"compose orchestrator sets {key}")
    check(orch_env.get("OTEL_EXPORTER_OTLP_ENDPOINT") == "http://otel-collector:4318",
          "compose orchestrator exports OTLP to http://otel-collector:4318")
    prom_cmd = " ".join((services.get("prometheus") or {}).get("command") or [])
    check("--enable-feature=exemplar-storage" in prom_cmd, "compose prometheus has exemplar storage on")
    check(os.path.exists("Dockerfile") and "USER " in open("Dockerfile").read()
          and open("Dockerfile").read().count("FROM ") >= 2, "Dockerfile is multi-stage with a non-root user")

    # collector
    col = load_yaml("otel/collector.yaml")
    check(((col.get("receivers") or {}).get("otlp") or {}).get("protocols", {}).get("http") is not None,
          "collector has an OTLP HTTP receiver")
    pipes = (col.get("service") or {}).get("pipelines") or {}
    for sig in ("traces", "metrics", "logs"):
        # The service exports all three signals by default; a signal without a pipeline would be refused (404) and
        # counted as export failures.
        check(sig in pipes, f"collector has a {sig} pipeline")
        p = pipes.get(sig) or {}
        procs = p.get("processors") or []
        check(procs[:1] == ["memory_limiter"] and "batch" in procs,
              f"collector {sig} pipeline: memory_limiter first, then batch")
        for comp in ("receivers", "processors", "exporters"):
            for c in p.get(comp) or []:
                check(c in (col.get(comp) or {}), f"collector {sig} pipeline {comp[:-1]} {c} is defined")
    check(any(e.startswith("otlp") and "jaeger" in str(v.get("endpoint", ""))
              for e, v in (col.get("exporters") or {}).items() if e in (pipes.get("traces") or {}).get("exporters", [])),
          "collector sends traces to Jaeger over OTLP")
    pe = (col.get("exporters") or {}).get("prometheus") or {}
    check((pe.get("resource_to_telemetry_conversion") or {}).get("enabled") is True,
          "collector prometheus exporter turns resource attributes into labels")
    check(pe.get("add_metric_suffixes") is False, "collector prometheus exporter keeps metric names unchanged")

    # prometheus.yml
    prom = load_yaml("otel/prometheus.yml")
    targets = [t for sc in prom.get("scrape_configs") or [] for s in sc.get("static_configs") or [] for t in s.get("targets") or []]
    check(any(t.startswith("otel-collector:") for t in targets), "prometheus scrapes the collector")
    direct = [sc for sc in prom.get("scrape_configs") or []
              if any(t.startswith("orchestrator:") for s in sc.get("static_configs") or [] for t in s.get("targets") or [])]
    # The service's metrics come through the collector; a direct scrape may keep `up` but no samples, or every
    # series would be counted twice.
    check(all(any(r.get("action") == "drop" and r.get("regex") in (".+", ".*") for r in sc.get("metric_relabel_configs") or [])
              for sc in direct), "a direct scrape of the orchestrator keeps no samples (metrics come via the collector)")
    for rf in prom.get("rule_files") or []:
        check(os.path.exists(os.path.join("otel", rf)), f"prometheus rule file {rf} resolves")

    # Grafana provisioning
    ds = load_yaml("dashboards/provisioning/datasources/datasources.yaml")
    by_type = {d.get("type"): d for d in ds.get("datasources") or []}
    check("prometheus" in by_type and "jaeger" in by_type, "Grafana has Prometheus and Jaeger data sources")
    dests = ((by_type.get("prometheus") or {}).get("jsonData") or {}).get("exemplarTraceIdDestinations") or []
    check(any(d.get("datasourceUid") == (by_type.get("jaeger") or {}).get("uid") for d in dests),
          "Prometheus exemplars link to the Jaeger data source")
    prov = load_yaml("dashboards/provisioning/dashboards/dashboards.yaml")
    paths = [((p.get("options") or {}).get("path")) for p in prov.get("providers") or []]
    grafana_mounts = [v.split(":")[1] for v in (services.get("grafana") or {}).get("volumes") or [] if v.startswith("./dashboards/json")]
    check(paths and all(p in grafana_mounts for p in paths), "dashboard provider path is where compose mounts dashboards/json")
    uids = {d.get("uid") for d in ds.get("datasources") or []}

    seen_uids = set()
    for path, dash in dashboards():
        names = [v.get("name") for v in (dash.get("templating") or {}).get("list", [])]
        check("instance" in names, f"{path} has an instance variable")
        check(dash.get("uid") and dash["uid"] not in seen_uids, f"{path} has a unique uid")
        seen_uids.add(dash.get("uid"))
        ids = [p.get("id") for p in panels_of(dash)]
        check(len(ids) == len(set(ids)), f"{path} panel ids are unique")
        links = json.dumps(dash)
        check("payment_id" in links and ("jaeger" in links or "16686" in links), f"{path} links to Jaeger by payment_id")
        for p in panels_of(dash):
            for t in p.get("targets") or []:
                uid = (t.get("datasource") or p.get("datasource") or {}).get("uid")
                if uid not in uids:
                    fail(f"{path} panel '{p.get('title')}' uses unknown data source {uid}")

    # Alerts: Prometheus rules and Grafana-managed rules agree.
    prules, grules = prometheus_rules(), grafana_rules()
    check(set(prules) == EXPECTED_ALERTS, "Prometheus rules define the five alerts", f"got {sorted(prules)}")
    check(set(grules) == EXPECTED_ALERTS, "Grafana alert provisioning defines the five alerts", f"got {sorted(grules)}")
    for name in sorted(EXPECTED_ALERTS & set(prules) & set(grules)):
        g = grules[name]
        a = next((d for d in g.get("data", []) if d.get("refId") == "A"), {})
        same = a.get("model", {}).get("expr", "").strip() == prules[name]["expr"].strip() and g.get("for") == prules[name].get("for")
        check(same and a.get("datasourceUid") in uids and g.get("condition") in [d.get("refId") for d in g.get("data", [])],
              f"Grafana alert {name} matches the Prometheus rule")

# ------------------------------------------------------------------------------------------------------------
SUBST = [("${__rate_interval}", "1m"), ("$__rate_interval", "1m"), ("${__range}", "1h"), ("$__range", "1h"),
         ("${__interval}", "15s"), ("$__interval", "15s"), ("${job}", ".*"), ("$job", ".*"),
         ("${instance}", ".*"), ("$instance", ".*")]
def substitute(expr):
    for a, b in SUBST:
        expr = expr.replace(a, b)
    return expr

def query(base, expr):
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        try:
            return json.load(e)
        except Exception:  # noqa: BLE001
            return {"status": "error", "error": str(e)}
    except Exception as e:  # noqa: BLE001
        return {"status": "error", "error": str(e)}

def live(base):
    # Every dashboard panel query: parses and returns data.
    for path, dash in dashboards():
        for v in (dash.get("templating") or {}).get("list", []):
            if v.get("type") != "query":
                continue
            q = v.get("query")
            q = q.get("query") if isinstance(q, dict) else q
            m = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", q or "")
            if not m:
                fail(f"{path} variable {v.get('name')}: unsupported query {q!r}")
                continue
            expr = substitute(f"count by ({m.group(2)}) ({m.group(1)})")
            res = query(base, expr)
            check(res.get("status") == "success" and res["data"]["result"],
                  f"{path} variable ${v.get('name')} has values", f"{expr} -> {res.get('error') or 'no data'}")
        for p in panels_of(dash):
            for t in p.get("targets") or []:
                expr = substitute(t.get("expr", ""))
                if not expr:
                    continue
                res = query(base, expr)
                name = f"{os.path.basename(path)} '{p.get('title')}' {t.get('refId')}"
                if not check(res.get("status") == "success", f"{name} parses", f"{expr} -> {res.get('error')}"):
                    continue
                check(len(res["data"]["result"]) > 0, f"{name} returns data", f"{expr} -> empty")
    # Every alert expression (Prometheus rule files and Grafana-managed rules): parses.
    exprs = [(f"rule {n}", r["expr"]) for n, r in prometheus_rules().items()]
    for n, g in grafana_rules().items():
        for d in g.get("data", []):
            if d.get("datasourceUid") != "__expr__":
                exprs.append((f"Grafana alert {n} {d.get('refId')}", d.get("model", {}).get("expr", "")))
    for name, expr in exprs:
        res = query(base, expr)
        check(res.get("status") == "success", f"{name} evaluates", f"{res.get('error')}")
    # Against this load (30% returns, no bank faults) only the return-rate condition holds.
    for name, rule in sorted(prometheus_rules().items()):
        res = query(base, rule["expr"])
        if res.get("status") != "success":
            continue
        holds = len(res["data"]["result"]) > 0
        expect = name == "PaymentReturnRateHigh"
        check(holds == expect, f"rule {name} condition {'holds' if expect else 'is quiet'} under SANDBOX_RETURN_RATE=0.3",
              f"got {res['data']['result']}")
    # Prometheus loaded and evaluated the rule files without errors.
    try:
        with urllib.request.urlopen(f"{base}/api/v1/rules", timeout=10) as r:
            groups = json.load(r)["data"]["groups"]
        loaded = {rule["name"]: rule for g in groups for rule in g["rules"]}
        check(set(loaded) >= EXPECTED_ALERTS, "Prometheus loaded the five alerting rules", f"got {sorted(loaded)}")
        for n in sorted(set(loaded) & EXPECTED_ALERTS):
            check(loaded[n].get("health") == "ok", f"Prometheus evaluates rule {n} healthily",
                  f"health={loaded[n].get('health')} {loaded[n].get('lastError', '')}")
    except Exception as e:  # noqa: BLE001
        fail(f"Prometheus /api/v1/rules: {e}")

if __name__ == "__main__":
    if sys.argv[1] == "static":
        static()
    else:
        live(sys.argv[2])
PY

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
# wait_for URL SECONDS: polls until the URL answers 2xx.
wait_for() {
    local deadline=$((SECONDS + $2))
    while [ $SECONDS -lt $deadline ]; do
        curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null && return 0
        sleep 0.3
    done
    return 1
}

# ---- 1. parse every config ---------------------------------------------------------------------------------
echo "==> parsing compose, collector, Prometheus and Grafana configs and dashboards"
tally < <(python3 "$WORK/check.py" static 2>&1)

# ---- 2. promtool -------------------------------------------------------------------------------------------
echo "==> promtool"
if out=$(promtool check config otel/prometheus.yml 2>&1); then ok "promtool check config otel/prometheus.yml"; else fail "promtool check config otel/prometheus.yml"; echo "$out"; fi
for f in otel/rules/*.yml; do
    case "$f" in
        *.test.yml)
            if out=$(cd "$(dirname "$f")" && promtool test rules "$(basename "$f")" 2>&1); then ok "promtool test rules $f"; else fail "promtool test rules $f"; echo "$out"; fi ;;
        *)
            if out=$(promtool check rules "$f" 2>&1); then ok "promtool check rules $f"; else fail "promtool check rules $f"; echo "$out"; fi
            test_file="${f%.yml}.test.yml"
            [ -f "$test_file" ] && ok "$f has unit tests" || fail "$f has no unit tests ($test_file)" ;;
    esac
done

# ---- 3. live: payments serve + Prometheus ------------------------------------------------------------------
echo "==> live: payments serve under load, scraped by Prometheus"
if [ ! -x "$BIN" ]; then
    fail "$BIN not found: run swift build first"
    summary; exit 1
fi
if [ -z "$PROMETHEUS" ] || [ ! -x "$PROMETHEUS" ]; then
    fail "the prometheus server binary is not installed (apt-get install prometheus)"
    summary; exit 1
fi

APP_PORT=$(free_port)
mkdir -p "$WORK/app"
PAYMENTS_API_KEYS="demo:$API_KEY" SANDBOX_RETURN_RATE=0.3 LOG_LEVEL=warning \
    "$BIN" serve --host 127.0.0.1 --port "$APP_PORT" --database-url "sqlite:$WORK/app/p.sqlite" \
    >"$WORK/app/serve.log" 2>&1 &
PIDS+=($!)
APP="http://127.0.0.1:$APP_PORT"
if wait_for "$APP/readyz" 60; then ok "payments serve is ready on $APP"; else
    fail "payments serve did not become ready within 60 s"; tail -20 "$WORK/app/serve.log"; summary; exit 1
fi

PROM_PORT=$(free_port)
mkdir -p "$WORK/prom"
{
    echo "global: {scrape_interval: 1s, evaluation_interval: 1s}"
    echo "rule_files:"
    for f in "$ROOT"/otel/rules/*.yml; do case "$f" in *.test.yml) ;; *) echo "  - $f" ;; esac; done
    echo "scrape_configs:"
    echo "  - job_name: payments"
    echo "    static_configs: [{targets: ['127.0.0.1:$APP_PORT']}]"
} >"$WORK/prom/prometheus.yml"
"$PROMETHEUS" --config.file="$WORK/prom/prometheus.yml" --storage.tsdb.path="$WORK/prom/data" \
    --web.listen-address="127.0.0.1:$PROM_PORT" --enable-feature=exemplar-storage \
    >"$WORK/prom/prometheus.log" 2>&1 &
PIDS+=($!)
PROM="http://127.0.0.1:$PROM_PORT"
if wait_for "$PROM/-/ready" 30; then ok "prometheus is ready on $PROM"; else
    fail "prometheus did not become ready within 30 s"; tail -20 "$WORK/prom/prometheus.log"; summary; exit 1
fi

# Scrapes of /metrics Prometheus holds from the last 5 minutes (its discovery applies targets ~5 s after start).
scrape_count() {
    curl -s --max-time 5 "$PROM/api/v1/query" --data-urlencode 'query=count_over_time(up{job="payments"}[5m])' \
        | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else 0)' 2>/dev/null \
        || echo 0
}
# wait_scrapes N SECONDS: until Prometheus holds at least N scrapes.
wait_scrapes() {
    local deadline=$((SECONDS + $2))
    while [ $SECONDS -lt $deadline ]; do
        [ "$(scrape_count)" -ge "$1" ] && return 0
        sleep 0.5
    done
    return 1
}
if wait_scrapes 1 30; then ok "prometheus scrapes /metrics"; else
    fail "prometheus did not scrape /metrics within 30 s"; tail -20 "$WORK/prom/prometheus.log"; summary; exit 1
fi

# Load (spread over ~6 s): payments to bank accounts and Zelle, a bad request, one forged and one malformed-signature webhook.
make_payment() {
    local i=$1 recipient
    if [ $((i % 4)) -eq 0 ]; then
        recipient="{\"type\": \"zelle\", \"name\": \"Zed $i\", \"email\": \"zed$i@example.com\"}"
    else
        recipient='{"type": "bank_account", "name": "Acme LLC", "account_number": "000123456789", "routing_number": "021000021"}'
    fi
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 -X POST "$APP/v1/payments" \
        -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' \
        -d "{\"amount\": $((1000 + i)), \"currency\": \"USD\", \"client_ref\": \"OBS-$i\", \"recipient\": $recipient}"
}
created=0
for i in $(seq "$LOAD_PAYMENTS"); do
    [ "$(make_payment "$i")" = "201" ] && created=$((created + 1))
    sleep 0.15   # spread over several scrapes, so that increase() sees the counters grow
done
[ "$created" -eq "$LOAD_PAYMENTS" ] && ok "created $created payments" || fail "created $created of $LOAD_PAYMENTS payments"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "$APP/webhook/payments" \
    -H 'Content-Type: application/json' -H "Bank-Signature: t=$(date +%s),v1=$(printf '0%.0s' $(seq 64))" \
    -d '{"event_id": "evt_forged", "payment_id": "00000000-0000-0000-0000-000000000000", "status": "completed"}')
[ "$code" = "401" ] && ok "forged webhook refused (401)" || fail "forged webhook answered $code, expected 401"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "$APP/webhook/payments" \
    -H 'Content-Type: application/json' -H 'Bank-Signature: nonsense' -d '{}')
[ "$code" = "401" ] && ok "malformed-signature webhook refused (401)" || fail "malformed-signature webhook answered $code, expected 401"

# Wait (bounded) until every payment settled, then for a few more scrapes.
settled=0
deadline=$((SECONDS + 45))
while [ $SECONDS -lt $deadline ]; do
    settled=$(curl -s --max-time 5 "$APP/metrics" | awk '/^payment_time_to_terminal_seconds_count/ {n += $2} END {print n + 0}')
    [ "$settled" -ge "$created" ] && break
    sleep 0.5
done
[ "$settled" -ge "$created" ] && ok "all $created payments reached a terminal status" || fail "only $settled of $created payments settled within 45 s"
# A few more scrapes, so that every rate() over 1m has at least two samples after the load.
before=$(scrape_count)
if wait_scrapes $((before + 4)) 30; then ok "prometheus scraped /metrics $(scrape_count) times"; else
    fail "prometheus scraped /metrics only $(scrape_count) times"
fi

tally < <(python3 "$WORK/check.py" live "$PROM" 2>&1)

summary
