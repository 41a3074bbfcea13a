#!/usr/bin/env python3
"""Generates the Grafana dashboards and Grafana-managed alert rules of the compose stack.

Writes
  dashboards/json/payments-overview.json, bank-health.json, reconciliation.json, webhooks.json,
                 telemetry-health.json
  dashboards/provisioning/alerting/payments-alerts.yaml
from the panel definitions below and the alerting rules in otel/rules/*.yml (not *.test.yml). Alert thresholds,
windows and `for:` durations are read from those rule files, so the dashboards and the Grafana alerts cannot
drift from what Prometheus evaluates. The SLO dashboards (slo-*.json) and otel/rules/slos.rules.yml come from
scripts/slo/generate.py; their alerts are mirrored here like any other.

Usage
  python3 dashboards/generate.py           rewrite the files
  python3 dashboards/generate.py --check   regenerate in memory; exit 1 naming every committed file that differs
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD_DIR = ROOT / "dashboards" / "json"
ALERTS_FILE = ROOT / "dashboards" / "provisioning" / "alerting" / "payments-alerts.yaml"
RULES_DIR = ROOT / "otel" / "rules"
FIX_COMMAND = "python3 dashboards/generate.py"

PROMETHEUS = {"type": "prometheus", "uid": "prometheus"}
SELECTOR = 'job=~"$job", instance=~"$instance"'
# Ratios and rates stay defined (0) when a counter has no series yet, instead of the panel showing "No data".
OR_ZERO = " or on() vector(0)"
JAEGER_SEARCH = ("${jaeger_url}/search?service=payment-orchestrator"
                 "&tags=%7B%22payment_id%22%3A%22{payment_id}%22%7D")
# Prometheus looks an instant selector back up to 5 minutes, so no alert query needs a shorter window.
MIN_ALERT_WINDOW_SECONDS = 300


def scoped(expr: str) -> str:
    """Puts the dashboard's job/instance selector where `expr` says `$S`."""
    return expr.replace("$S", SELECTOR)


def jaeger_search(payment_id: str) -> str:
    """Jaeger's search for the traces tagged with `payment_id` (a Grafana variable)."""
    return JAEGER_SEARCH.replace("{payment_id}", payment_id)


def jaeger_link(title: str, payment_id: str) -> dict:
    """A panel link to jaeger_search(payment_id)."""
    return {"title": title, "targetBlank": True, "url": jaeger_search(payment_id)}


SEARCH_LINK = jaeger_link("Jaeger: traces of payment ${payment_id}", "${payment_id}")
ROW_PAYMENT_LINK = jaeger_link("Traces of this payment in Jaeger", "${__field.labels.payment_id}")


# ---- durations and alert rules -----------------------------------------------------------------------------

_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_DURATION = re.compile(r"(\d+)(ms|[smhdwy])")


def duration_seconds(text: str) -> float:
    """Seconds in a Prometheus duration such as `15m` or `1h30m`."""
    parts = _DURATION.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise ValueError(f"not a Prometheus duration: {text!r}")
    return sum(int(number) * _DURATION_UNITS[unit] for number, unit in parts)


def spoken_duration(seconds: float) -> str:
    """`300` -> `5 minutes`, for panel descriptions."""
    for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds:g} seconds"


def percent(ratio: float) -> str:
    """`0.05` -> `5%`, for panel descriptions."""
    return f"{ratio * 100:g}%"


def _number(text: str) -> int | float:
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


@dataclass(frozen=True)
class AlertRule:
    """An alerting rule of otel/rules/*.yml, with the parts the dashboards and Grafana alerts show."""

    name: str
    expr: str
    for_: str
    labels: dict
    annotations: dict

    # The firing comparison ends the expression's first operand of `and`/`unless`; what follows only guards it.
    _GUARD = re.compile(r"\b(?:and|unless)\b")
    _COMPARISON = re.compile(r"(==|!=|>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")
    _RANGE = re.compile(r"\[((?:\d+(?:ms|[smhdwy]))+)(?::[^\]]*)?\]")

    @classmethod
    def from_yaml(cls, rule: dict) -> AlertRule:
        """The rule as otel/rules/*.yml spells it."""
        return cls(rule["alert"], rule["expr"], rule["for"], dict(rule.get("labels") or {}),
                   dict(rule.get("annotations") or {}))

    def _comparison(self) -> tuple[str, int | float]:
        firing_part = self._GUARD.split(self.expr)[0]
        match = self._COMPARISON.search(firing_part.strip())
        if not match:
            raise ValueError(f"{self.name}: no `<op> <number>` comparison ends the expression")
        return match.group(1), _number(match.group(2))

    @property
    def threshold(self) -> int | float:
        """The number the rule compares its value with (0.05 in `ratio > 0.05`)."""
        return self._comparison()[1]

    @property
    def window(self) -> str | None:
        """The longest range selector in the expression (`15m` in `increase(x[15m])`), if any."""
        ranges = self._RANGE.findall(self.expr)
        return max(ranges, key=duration_seconds) if ranges else None

    @property
    def window_seconds(self) -> float:
        """The longest range selector in seconds, 0 without one."""
        return duration_seconds(self.window) if self.window else 0

    def grafana_evaluator(self) -> dict:
        """Grafana's threshold for the rule's value (query C of the Grafana-managed rule).

        Query A returns a series only while the rule's comparison holds; C restates the threshold so that the
        rule reads the same in Grafana. Grafana has no equality evaluator: A's values under `== N` all equal N,
        so "above N - 1" holds for exactly them.
        """
        operator, value = self._comparison()
        evaluators = {">": ("gt", value), "<": ("lt", value), "==": ("gt", value - 1)}
        if operator not in evaluators:
            raise ValueError(f"{self.name}: Grafana cannot restate the comparison `{operator}`")
        kind, param = evaluators[operator]
        return {"type": kind, "params": [param]}


def rule_files() -> list[Path]:
    """otel/rules/*.yml without the promtool unit tests (*.test.yml)."""
    return [path for path in sorted(RULES_DIR.glob("*.yml")) if not path.name.endswith(".test.yml")]


def load_alert_rules() -> dict[str, AlertRule]:
    """Every alerting rule of the rule files by name, in file order."""
    rules = {}
    for path in rule_files():
        for group in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("groups", []):
            for rule in group.get("rules", []):
                if "alert" in rule:
                    rules[rule["alert"]] = AlertRule.from_yaml(rule)
    return rules


def alert_named(rules: dict[str, AlertRule], name: str) -> AlertRule:
    """The named rule, which a dashboard refers to."""
    if name not in rules:
        raise SystemExit(f"generate.py: the dashboards refer to the alert {name}, which no file in "
                         f"{RULES_DIR.relative_to(ROOT)} defines")
    return rules[name]


# ---- dashboards --------------------------------------------------------------------------------------------

def templating() -> dict:
    """The variables every dashboard shares: job and instance filters, a payment_id box, Jaeger's URL."""
    return {"list": [
        {"name": "job", "label": "Job", "type": "query", "datasource": PROMETHEUS,
         "query": {"query": "label_values(payment_status_total, job)", "refId": "job"},
         "definition": "label_values(payment_status_total, job)",
         "includeAll": True, "allValue": ".*", "multi": True, "refresh": 2, "sort": 1,
         "description": "payments: the orchestrator's /metrics scraped directly; payment-orchestrator: the same "
                        "metrics via OTLP and the collector. Pick one: All counts both.",
         "current": {"selected": True, "text": ["payments"], "value": ["payments"]}},
        {"name": "instance", "label": "Instance", "type": "query", "datasource": PROMETHEUS,
         "query": {"query": 'label_values(payment_status_total{job=~"$job"}, instance)', "refId": "instance"},
         "definition": 'label_values(payment_status_total{job=~"$job"}, instance)',
         "includeAll": True, "allValue": ".*", "multi": True, "refresh": 2, "sort": 1,
         "current": {"selected": True, "text": ["All"], "value": ["$__all"]}},
        {"name": "payment_id", "label": "payment_id (for the Jaeger link)", "type": "textbox", "query": "",
         "current": {"text": "", "value": ""}},
        {"name": "jaeger_url", "type": "constant", "hide": 2, "query": "http://localhost:16686",
         "current": {"text": "http://localhost:16686", "value": "http://localhost:16686"}},
    ]}


def dashboard_links() -> list[dict]:
    """The dashboard's header links: Jaeger for the payment_id box, the other dashboards."""
    return [
        {"title": "Jaeger: traces of payment $payment_id", "type": "link", "targetBlank": True,
         "url": jaeger_search("${payment_id}")},
        {"title": "Payments dashboards", "type": "dashboards", "tags": ["payments"], "asDropdown": True},
    ]


def red_above(value: int | float) -> dict:
    """Thresholds that turn a field red from `value` on."""
    return {"mode": "absolute", "steps": [{"color": "green", "value": None}, {"color": "red", "value": value}]}


class Dashboard:
    """A Grafana dashboard whose panels flow left to right over the 24-column grid, wrapping when full."""

    GRID_COLUMNS = 24
    INSTANT_PANELS = ("stat", "table", "bargauge", "piechart")

    def __init__(self, uid: str, title: str, description: str, file_name: str) -> None:
        self.uid, self.title, self.description, self.file_name = uid, title, description, file_name
        self.panels: list[dict] = []
        self._next_id = 1
        self._x = self._y = self._line_height = 0

    def _take_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def _new_line(self) -> None:
        if self._x:
            self._y += self._line_height
            self._x = self._line_height = 0

    def row(self, title: str) -> None:
        """Starts a new row with a header titled `title`."""
        self._new_line()
        self.panels.append({"id": self._take_id(), "type": "row", "title": title, "collapsed": False,
                            "gridPos": {"h": 1, "w": self.GRID_COLUMNS, "x": 0, "y": self._y}, "panels": []})
        self._y += 1

    def _targets(self, kind: str, targets: list, exemplar: bool) -> list[dict]:
        out = []
        for index, target in enumerate(targets):
            expr, legend = target if isinstance(target, tuple) else (target, "")
            query = {"refId": chr(ord("A") + index), "datasource": PROMETHEUS, "expr": expr,
                     "legendFormat": legend or "__auto", "range": True}
            if exemplar:
                query["exemplar"] = True
            if kind in self.INSTANT_PANELS:
                query["instant"] = True
                query["range"] = False
                if kind == "table":
                    query["format"] = "table"
            out.append(query)
        return out

    def panel(self, kind: str, title: str, targets: list, *, width: int = 12, height: int = 8,
              unit: str | None = None, description: str = "", exemplar: bool = False,
              field_defaults: dict | None = None, extra: dict | None = None) -> None:
        """Adds a panel; `field_defaults` joins fieldConfig.defaults, `extra` replaces top-level panel keys."""
        if self._x + width > self.GRID_COLUMNS:
            self._new_line()
        defaults: dict = {"links": [SEARCH_LINK] if kind == "timeseries" else []}
        if unit:
            defaults["unit"] = unit
        defaults.update(field_defaults or {})
        panel = {"id": self._take_id(), "type": kind, "title": title, "description": description,
                 "datasource": PROMETHEUS, "gridPos": {"h": height, "w": width, "x": self._x, "y": self._y},
                 "targets": self._targets(kind, targets, exemplar),
                 "fieldConfig": {"defaults": defaults, "overrides": []}, "options": {}}
        if kind == "timeseries":
            panel["options"] = {"legend": {"displayMode": "table", "placement": "bottom",
                                           "calcs": ["lastNotNull", "max"]},
                                "tooltip": {"mode": "multi"}}
        panel.update(extra or {})
        self.panels.append(panel)
        self._x += width
        self._line_height = max(self._line_height, height)

    def to_json(self) -> dict:
        """The dashboard model Grafana provisions."""
        return {"uid": self.uid, "title": self.title, "description": self.description, "tags": ["payments"],
                "timezone": "utc", "schemaVersion": 39, "version": 1, "editable": True, "refresh": "10s",
                "time": {"from": "now-1h", "to": "now"}, "templating": templating(), "links": dashboard_links(),
                "annotations": {"list": []}, "panels": self.panels}


def quantiles(metric: str, by: str, quantile_legends: list[tuple[str, str]], matchers: str = "") -> list:
    """histogram_quantile targets of `metric`_bucket, one per (quantile, legend)."""
    return [(scoped(f"histogram_quantile({q}, sum by ({by}) "
                    f"(rate({metric}_bucket{{$S{matchers}}}[$__rate_interval])))"), legend)
            for q, legend in quantile_legends]


P50_P95_P99 = [("0.50", "p50"), ("0.95", "p95"), ("0.99", "p99")]
HORIZONTAL_BARS = {"options": {"orientation": "horizontal", "displayMode": "basic"}}


def status_ratio(numerator: str, denominator: str, window: str) -> str:
    """increase() of payment_status_total for the `numerator` statuses over the `denominator` ones."""
    return scoped(f"(sum(increase(payment_status_total{{$S, status{numerator}}}[{window}]))" + OR_ZERO
                  + f") / clamp_min(sum(increase(payment_status_total{{$S, status{denominator}}}[{window}]))"
                  + OR_ZERO + ", 1)")


# NACHA's return classes as otel/rules/returns.rules.yml records them (return_class): the word its alerts are named
# with (UnauthorizedReturnsNearLimit, ClientUnauthorizedReturnsOverLimit, ...), a title, the codes in it.
NACHA_CLASSES = (("unauthorized", "Unauthorized", "Unauthorized", "R05, R07, R10, R11, R29, R51"),
                 ("administrative", "Administrative", "Administrative", "R02, R03, R04"),
                 ("all", "Total", "All", "any code"))
_VOLUME_GUARD = re.compile(r">=\s*(\d+)\s*$")


def volume_guard(alert: AlertRule) -> int | float:
    """The least volume the rule's last operand asks for (500 in `... and on (job) entries >= 500`)."""
    match = _VOLUME_GUARD.search(alert.expr.strip())
    if not match:
        raise SystemExit(f"generate.py: {alert.name} does not end with a `>= N` volume guard")
    return _number(match.group(1))


def nacha_ratio_panel(d: Dashboard, rules: dict[str, AlertRule], return_class: str, name: str, title: str,
                      codes: str) -> None:
    """One class's 60-day return ratio, the originator's and each client's, with its alerts' thresholds as lines."""
    near, over = alert_named(rules, f"{name}ReturnsNearLimit"), alert_named(rules, f"{name}ReturnsOverLimit")
    selector = f'job=~"$job", return_class="{return_class}"'
    # The recorded ratios appear at the rule group's first evaluation (within a minute of Prometheus starting);
    # until then each line reads 0 rather than the panel showing no data.
    originator = f"max(job_return_class:payment_returns:ratio60d{{{selector}}})" + OR_ZERO
    by_client = (f"max by (client) (job_client_return_class:payment_client_returns:ratio60d{{{selector}}}) "
                 + scoped("or 0 * max by (client) (payment_entries_total{$S})"))
    d.panel("timeseries", f"{title} returns / entries, 60 days",
            [(originator, "originator"), (by_client, "{{client}}")], width=8, unit="percentunit",
            description=f"{title} returns ({codes}) as a share of the ACH entries originated over the last 60 "
                        f"days, for the originator (all clients) and each client. {near.name} (and "
                        f"Client{near.name}) warn past {percent(near.threshold)}, {over.name} (and "
                        f"Client{over.name}) page past {percent(over.threshold)}, NACHA's threshold, once "
                        f"{volume_guard(over):g} entries were originated in the 60 days. Recorded every minute from "
                        "1-hour rates, so the last hour counts in part. All instances of the job.",
            field_defaults={"min": 0, "thresholds": {"mode": "absolute", "steps": [
                                {"color": "green", "value": None}, {"color": "orange", "value": near.threshold},
                                {"color": "red", "value": over.threshold}]},
                            "custom": {"thresholdsStyle": {"mode": "dashed"}}})


def payments_overview(rules: dict[str, AlertRule]) -> Dashboard:
    """Volume, completion and return rates, time to terminal, NACHA return rates and returns, queue and retries, the
    client API's edge."""
    returns = alert_named(rules, "PaymentReturnRateHigh")
    stuck = alert_named(rules, "PaymentsStuckInProcessing")
    backlog = alert_named(rules, "ClientWebhookDeliveryBacklog")
    disabled = alert_named(rules, "ClientWebhookEndpointDisabled")
    failing = alert_named(rules, "ClientWebhookDeliveryFailureRatio")
    window = returns.window
    if window is None:
        raise SystemExit(f"generate.py: {returns.name} has no range selector for the return-rate panels' window")
    completion = status_ratio('="completed"', '="initiated"', window)
    return_rate = status_ratio('="returned"', '=~"completed|returned"', window)
    d = Dashboard("payments-overview", "Payments overview",
                  "Volume, completion and return rates, time to terminal, return rates against NACHA's 60-day "
                  "thresholds and returns by code, class and client, queue and retries, and the client API's edge: "
                  "rate-limited requests and refused connections; webhook notifications to clients.",
                  "payments-overview.json")
    d.row("Volume")
    d.panel("timeseries", "Payments by status (transitions/s)",
            [(scoped("sum by (status) (rate(payment_status_total{$S}[$__rate_interval]))"), "{{status}}")],
            width=16, unit="ops", description="Transitions into each status per second.")
    d.panel("stat", "Payments by status (time range)",
            [(scoped("sum by (status) (increase(payment_status_total{$S}[$__range]))"), "{{status}}")],
            width=8, unit="short")
    d.panel("stat", "Completion rate", [status_ratio('="completed"', '="initiated"', "$__range")],
            width=6, height=6, unit="percentunit",
            description="Completed as a share of initiated over the time range "
                        "(payments still in flight count against it).")
    d.panel("stat", f"Return rate ({window})", [return_rate], width=6, height=6, unit="percentunit",
            description=f"Returned / (completed + returned) over {spoken_duration(returns.window_seconds)}: "
                        f"the {returns.name} alert fires above {percent(returns.threshold)}.",
            field_defaults={"thresholds": red_above(returns.threshold), "color": {"mode": "thresholds"}})
    d.panel("stat", "Failure rate", [status_ratio('="failed"', '="initiated"', "$__range")],
            width=6, height=6, unit="percentunit")
    d.panel("timeseries", f"Completion and return rates ({window} windows)",
            [(completion, "completion"), (return_rate, "return")], width=6, height=6, unit="percentunit")
    d.row("Time to terminal")
    d.panel("timeseries", "Time to terminal p50 / p95 / p99",
            quantiles("payment_time_to_terminal_seconds", "le", P50_P95_P99), unit="s", exemplar=True,
            description="Creation to completed, returned or failed. "
                        "Exemplar dots open the payment's trace in Jaeger.")
    d.panel("timeseries", "Time to terminal p95 by status",
            quantiles("payment_time_to_terminal_seconds", "le, status", [("0.95", "{{status}}")]),
            unit="s", exemplar=True)
    d.row("NACHA return rates (60 days)")
    for nacha_class in NACHA_CLASSES:
        nacha_ratio_panel(d, rules, *nacha_class)
    guard = volume_guard(alert_named(rules, "ClientTotalReturnsOverLimit"))
    d.panel("bargauge", "ACH entries originated by client, 60 days",
            [("max by (client) (job_client:payment_entries:increase60d{job=~\"$job\"}) "
              + scoped("or 0 * max by (client) (payment_entries_total{$S})"), "{{client}}")],
            width=24, height=6, unit="short",
            description=f"The return ratios' denominator. The NACHA return-rate alerts leave a client (or the "
                        f"originator) alone below {guard:g} entries in the 60 days (bars not green), where one "
                        "return would swing the ratio.",
            field_defaults={"color": {"mode": "thresholds"}, "thresholds": {"mode": "absolute", "steps": [
                {"color": "text", "value": None}, {"color": "green", "value": guard}]}},
            extra=HORIZONTAL_BARS)
    d.row("Returns")
    d.panel("bargauge", "Returns by ACH code (time range)",
            [(scoped("sum by (return_code) (increase(payment_returns_total{$S}[$__range]))"), "{{return_code}}")],
            width=8, unit="short", extra=HORIZONTAL_BARS)
    d.panel("timeseries", "Returns by ACH code (/s)",
            [(scoped("sum by (return_code) (rate(payment_returns_total{$S}[$__rate_interval]))"),
              "{{return_code}}")],
            width=8, unit="ops")
    d.panel("timeseries", "Returns by class (/s)",
            [(scoped("sum by (return_class) (rate(payment_returns_total{$S}[$__rate_interval]))"),
              "{{return_class}}")],
            width=8, unit="ops",
            description="unauthorized: R05, R07, R10, R11, R29, R51; administrative: R02, R03, R04; other: every "
                        "other code.")
    d.panel("bargauge", "Returns by client and class (time range)",
            [(scoped("sum by (client, return_class) (increase(payment_client_returns_total{$S}[$__range]))"),
              "{{client}} {{return_class}}")],
            width=24, height=6, unit="short", extra=HORIZONTAL_BARS)
    d.row("Queue, stuck work and retries")
    d.panel("timeseries", "Job queue depth", [(scoped("sum by (kind) (job_queue_depth{$S})"), "{{kind}}")],
            width=8, unit="short")
    d.panel("timeseries", "Oldest job age (stuck work)",
            [(scoped("max by (kind) (job_queue_oldest_age_seconds{$S})"), "{{kind}}")], width=8, unit="s",
            description=f"{stuck.name} fires when this stays above {spoken_duration(stuck.threshold)}.",
            field_defaults={"thresholds": red_above(stuck.threshold),
                            "custom": {"thresholdsStyle": {"mode": "line"}}})
    d.panel("timeseries", "Payments waiting to retry",
            [(scoped("count(payment_retry_count{$S})" + OR_ZERO), "waiting"),
             (scoped("max(payment_retry_count{$S})" + OR_ZERO), "most retries")],
            width=8, unit="short")
    d.panel("table", "Payments waiting to retry (click a row for its traces)",
            [scoped("topk(20, payment_retry_count{$S})" + OR_ZERO)], width=24, height=8,
            description="payment_retry_count{payment_id}: each payment now waiting to retry. The data link opens "
                        "Jaeger's search for that payment_id. A single 0 row means nothing is waiting.",
            extra={"fieldConfig": {"defaults": {"links": [ROW_PAYMENT_LINK]}, "overrides": []},
                   "transformations": [{"id": "organize", "options": {
                       "excludeByName": {"Time": True, "__name__": True}, "renameByName": {"Value": "retries"}}}]})
    d.row("Client API edge")
    d.panel("timeseries", "Rate-limited requests by client (/s)",
            [(scoped("sum by (client) (rate(api_rate_limited_total{$S}[$__rate_interval]))" + OR_ZERO),
              "{{client}}")],
            unit="reqps",
            description="Client API requests refused with 429 because the client was over its PAYMENTS_RATE_LIMITS "
                        "limit (100/s, bursts of 200, by default). A client has a series from its first refusal. "
                        "Each instance keeps its own buckets, so a client spread over N instances may be served up "
                        "to N times its limit before any refuses it.")
    d.panel("timeseries", "Connections refused at the limit (/s)",
            [(scoped("sum by (instance) (rate(http_connections_refused_total{$S}[$__rate_interval]))"),
              "{{instance}}")],
            unit="cps",
            description="Connections accepted while the instance already had PAYMENTS_HTTP_MAX_CONNECTIONS open: "
                        "answered 503 with Connection: close, or closed unanswered when no request head came "
                        "within 1 s. Anything above 0 means clients are being turned away: look for connections "
                        "held open (idle keep-alives, slow senders) or raise the limit with the open-file limit.")
    d.row("Client notifications")
    d.panel("timeseries", "Client webhook deliveries by outcome (/s)",
            [(scoped("sum by (outcome) (rate(client_webhook_deliveries_total{$S}[$__rate_interval]))" + OR_ZERO),
              "{{outcome}}")],
            unit="reqps",
            description="Delivery attempts to clients' webhook endpoints. delivered: a 2xx answer; failed: another "
                        "answer, a timeout or no connection (retried with backoff); refused: the endpoint's host does "
                        "not resolve or is not public (retried too); gave_up: the last attempt of the retry window "
                        f"failed. {failing.name} fires when over {percent(failing.threshold)} of attempts do not "
                        f"deliver over {spoken_duration(failing.window_seconds)}. A single 0 line means no instance "
                        "delivers (CLIENT_WEBHOOK_CONCURRENCY=0).")
    d.panel("timeseries", "Client webhook delivery latency p50 / p95 / p99",
            quantiles("client_webhook_delivery_duration_seconds", "le", P50_P95_P99), unit="s", exemplar=True,
            description="One delivery attempt: checking and resolving the endpoint's host, then posting the signed "
                        "event until its answer or CLIENT_WEBHOOK_TIMEOUT_SECONDS. Every outcome counts. Exemplar "
                        "dots open the attempt's trace in Jaeger.")
    d.panel("timeseries", "Client webhook deliveries pending",
            [(scoped("max(client_webhook_deliveries_pending{$S})"), "pending")],
            width=8, unit="short",
            description="Deliveries due, waiting to retry or being posted, whole database (max over instances, "
                        "which all report the same database), sampled every 5 s.")
    d.panel("timeseries", "Oldest undelivered client event (age)",
            [(scoped("max(client_webhook_oldest_undelivered_age_seconds{$S})"), "oldest")],
            width=8, unit="s",
            description="Age of the oldest event with a delivery pending, whole database. "
                        f"{backlog.name} fires when this stays above {spoken_duration(backlog.threshold)} for "
                        f"{spoken_duration(duration_seconds(backlog.for_))}: GET /v1/events/{{id}} lists the "
                        "event's delivery attempts.",
            field_defaults={"thresholds": red_above(backlog.threshold),
                            "custom": {"thresholdsStyle": {"mode": "line"}}})
    d.panel("stat", "Client webhook endpoints disabled (time range)",
            [scoped("sum(increase(client_webhook_endpoints_disabled_total{$S}[$__range]))" + OR_ZERO)],
            width=8, unit="short",
            description="Endpoints that failed for the whole retry window (CLIENT_WEBHOOK_RETRY_WINDOW_SECONDS) "
                        "and were disabled: nothing more is posted to them until their client registers them again. "
                        f"{disabled.name} fires on any in {spoken_duration(disabled.window_seconds)}.",
            field_defaults={"color": {"mode": "thresholds"}, "thresholds": red_above(1)})
    return d


BANK_ERROR_OUTCOMES = 'outcome=~"server_error|timeout|connection|rate_limited|unauthorized|invalid_response"'
THROTTLE_STATES = {"0": {"text": "open", "color": "green"}, "1": {"text": "throttling", "color": "orange"},
                   "2": {"text": "dead", "color": "red"}}
SANDBOX_IN_USE = {"0": {"text": "no: a bank", "color": "green"},
                  "1": {"text": "yes: no money moves", "color": "red"}}


def bank_health(rules: dict[str, AlertRule]) -> Dashboard:
    """Calls to the partner bank: latency, outcomes, error rate, adaptive throttling, 429s."""
    dead = alert_named(rules, "BankCircuitOpen")
    d = Dashboard("bank-health", "Bank health",
                  "Calls to the partner bank: latency by operation and outcome, error rate, adaptive throttling, "
                  "429s.",
                  "bank-health.json")
    d.row("Latency")
    d.panel("timeseries", "Bank latency p95 by operation and outcome",
            quantiles("bank_request_duration_seconds", "le, operation, outcome",
                      [("0.95", "{{operation}} {{outcome}}")]),
            unit="s", exemplar=True)
    d.panel("timeseries", "Bank latency p50 / p99 by operation",
            quantiles("bank_request_duration_seconds", "le, operation",
                      [("0.50", "p50 {{operation}}"), ("0.99", "p99 {{operation}}")]),
            unit="s", exemplar=True)
    d.row("Outcomes")
    d.panel("timeseries", "Bank calls by operation and outcome (/s)",
            [(scoped("sum by (operation, outcome) (rate(bank_request_duration_seconds_count{$S}[$__rate_interval]))"),
              "{{operation}} {{outcome}}")],
            width=8, unit="reqps",
            description="Operations: submit, status, settlement_report. Calls the throttle refused never reach the "
                        "bank and are not counted here.")
    d.panel("timeseries", "Bank error rate",
            [(scoped(f"(sum(rate(bank_request_duration_seconds_count{{$S, {BANK_ERROR_OUTCOMES}}}[$__rate_interval]))"
                     + OR_ZERO + ") / clamp_min(sum(rate(bank_request_duration_seconds_count{$S}[$__rate_interval]))"
                     + OR_ZERO + ", 1e-9)"), "error share")],
            width=8, unit="percentunit",
            description="Calls that failed without a clear answer (5xx, timeout, connection, 429, 401, invalid "
                        "response) as a share of the calls made. A 422 rejection or a 404 is an answer, not an "
                        "error. Calls the throttle refused are not calls: see Throttle rejection ratio.")
    d.panel("timeseries", "429 rate-limited responses (/s)",
            [(scoped('sum by (operation) (rate(bank_request_duration_seconds_count{$S, outcome="rate_limited"}'
                     '[$__rate_interval]))' + OR_ZERO), "{{operation}}")],
            width=8, unit="reqps")
    d.row("Throttling")
    d.panel("stat", "Throttle state", [scoped("max(bank_circuit_state{$S})")], width=4, unit="none",
            description="bank_circuit_state: 0 open, 1 throttling, 2 dead (one probe call a second). "
                        f"{dead.name} fires when it stays at {dead.threshold:g} for "
                        f"{spoken_duration(duration_seconds(dead.for_))}.",
            field_defaults={"mappings": [{"type": "value", "options": THROTTLE_STATES}],
                            "color": {"mode": "thresholds"},
                            "thresholds": {"mode": "absolute", "steps": [
                                {"color": "green", "value": None}, {"color": "orange", "value": 1},
                                {"color": "red", "value": 2}]}})
    d.panel("stat", "Bank sandbox in use", [scoped("max(bank_sandbox_in_use{$S})")], width=4, unit="none",
            description="1 when payments settle against the built-in bank sandbox, in the process: no money moves.",
            field_defaults={"mappings": [{"type": "value", "options": SANDBOX_IN_USE}],
                            "color": {"mode": "thresholds"}, "thresholds": red_above(1)})
    d.panel("timeseries", "Throttle state over time (0 open, 1 throttling, 2 dead)",
            [(scoped("max by (instance) (bank_circuit_state{$S})"), "{{instance}}")], width=8, unit="none")
    d.panel("timeseries", "Throttle rejection ratio",
            [(scoped("max by (instance) (bank_throttle_rejection_ratio{$S})"), "{{instance}}")],
            width=8, unit="percentunit",
            description="The share of bank calls refused locally now: max(0, (requests - 3 x accepts) / "
                        "(requests + 1)) over the last 30 s; 1 while the bank is dead. Refused submissions wait "
                        "in the queue without spending an attempt. Updated on every bank call.")
    return d


def reconciliation(rules: dict[str, AlertRule]) -> Dashboard:
    """Reconciliation with the bank: runs, mismatches, corrections, unreconciled payments, dead letters; data keys."""
    corrected = alert_named(rules, "PaymentStatusCorrected")
    dead_letters = alert_named(rules, "JobsDeadLettered")
    unreconciled = alert_named(rules, "PaymentsUnreconciled")
    d = Dashboard("reconciliation", "Reconciliation",
                  "Reconciliation with the bank's record: runs, mismatches, corrections of failed payments, "
                  "payments only reconciliation can settle, dead-lettered jobs; the payments each data key seals.",
                  "reconciliation.json")
    d.row("Runs and mismatches")
    d.panel("timeseries", "Reconciliation runs by outcome (/min)",
            [(scoped("sum by (outcome) (rate(reconciliation_runs_total{$S}[$__rate_interval])) * 60" + OR_ZERO),
              "{{outcome}}")],
            width=8, unit="opm",
            description="completed: every step of the run succeeded; failed: a step failed (see the "
                        "'Reconciliation could not ...' log lines); skipped: another instance held the run. Only "
                        "instances with workers run reconciliation, one at a time.")
    d.panel("timeseries", "Mismatches by kind (/min)",
            [(scoped("sum by (kind) (rate(reconciliation_mismatches_total{$S}[$__rate_interval])) * 60" + OR_ZERO),
              "{{kind}}")],
            width=8, unit="opm",
            description="status: the bank's status differed from ours (ours follows where the lifecycle allows, "
                        "or when it corrects a failed payment); missing_at_bank: the bank does not know a payment we "
                        "asked about (an initiated one is failed, any other is logged at error); unknown_to_us: the "
                        "settlement report lists a payment we do not have (logged at error).")
    d.panel("bargauge", "Mismatches by kind (time range)",
            [(scoped("sum by (kind) (increase(reconciliation_mismatches_total{$S}[$__range]))" + OR_ZERO),
              "{{kind}}")],
            width=8, unit="short", extra=HORIZONTAL_BARS)
    d.row("Corrections and dead letters")
    d.panel("timeseries", "Failed payments corrected, by new status (/min)",
            [(scoped("sum by (to) (rate(payment_status_corrections_total{$S}[$__rate_interval])) * 60" + OR_ZERO),
              "{{to}}")],
            width=6, unit="opm",
            description="Payments we held as failed that the bank reported as processing, completed or returned: "
                        f"their clients were told failed for money that moved. {corrected.name} fires on any "
                        f"correction in {spoken_duration(corrected.window_seconds)}.")
    d.panel("stat", "Corrections (time range)",
            [scoped("sum(increase(payment_status_corrections_total{$S}[$__range]))" + OR_ZERO)],
            width=6, unit="short", field_defaults={"color": {"mode": "thresholds"}, "thresholds": red_above(1)})
    d.panel("timeseries", "Jobs dead-lettered by kind (/min)",
            [(scoped("sum by (kind) (rate(job_dead_letters_total{$S}[$__rate_interval])) * 60" + OR_ZERO),
              "{{kind}}")],
            width=6, unit="opm",
            description="Work given up on: an ERP update after its hour of retries, a job whose payment is missing. "
                        f"{dead_letters.name} fires on any in {spoken_duration(dead_letters.window_seconds)}. "
                        "payments admin dead-letters lists them; payments admin requeue runs them again.")
    d.panel("stat", "Dead-lettered (time range)",
            [scoped("sum(increase(job_dead_letters_total{$S}[$__range]))" + OR_ZERO)],
            width=6, unit="short", field_defaults={"color": {"mode": "thresholds"}, "thresholds": red_above(1)})
    d.row("Payments only reconciliation can settle")
    d.panel("timeseries", "Unreconciled payments by reason",
            [(scoped("max by (reason) (payment_unreconciled{$S})"), "{{reason}}")],
            unit="short",
            description="unconfirmed_submission: initiated with no queued or running submission job (its outcome "
                        "was unknown and the bank could not be asked); stuck_processing: processing and unchanged "
                        "for longer than PAYMENTS_RECONCILE_STUCK_AFTER_SECONDS. Whole database, sampled every 5 s; "
                        "max over instances, which all report the same database.")
    d.panel("timeseries", "Oldest unreconciled payment (age since its last change)",
            [(scoped("max(payment_unreconciled_oldest_age_seconds{$S})"), "oldest")],
            unit="s",
            description=f"{unreconciled.name} fires when this stays above "
                        f"{spoken_duration(unreconciled.threshold)} for "
                        f"{spoken_duration(duration_seconds(unreconciled.for_))}.",
            field_defaults={"thresholds": red_above(unreconciled.threshold),
                            "custom": {"thresholdsStyle": {"mode": "line"}}})
    d.row("Data keys")
    d.panel("timeseries", "Payments sealed by each data key",
            [(scoped("max by (key_id) (payment_sealed_values{$S})" + OR_ZERO), "{{key_id}}")],
            unit="short",
            description="Payments whose account number, Zelle e-mail or phone each data key seals, whole database "
                        "(max over instances, which all report the same database), sampled every "
                        "PAYMENTS_RECONCILE_INTERVAL_SECONDS by instances with workers. During a rotation the old "
                        "key's line falls to 0 as payments reseal re-seals its payments; then it may leave the ring. "
                        "A single 0 line without a key id means nothing is sealed yet.")
    return d


def webhooks(rules: dict[str, AlertRule]) -> Dashboard:
    """The bank's webhooks: latency, rejections, delivery lag, settlement time."""
    spike = alert_named(rules, "WebhookSignatureFailuresSpike")
    d = Dashboard("webhooks", "Webhooks",
                  "The bank's webhooks: acknowledgement latency, delivery lag, rejections by reason, settlement time.",
                  "webhooks.json")
    d.panel("timeseries", "Webhook latency p50 / p95 / p99 (receipt to acknowledgement)",
            quantiles("payment_webhook_latency_seconds", "le", P50_P95_P99), unit="s", exemplar=True)
    d.panel("timeseries", "Webhooks acknowledged (/s)",
            [(scoped("sum(rate(payment_webhook_latency_seconds_count{$S}[$__rate_interval]))"), "acknowledged")],
            unit="reqps")
    d.panel("timeseries", "Webhooks rejected by reason (/s)",
            [(scoped("sum by (reason) (rate(webhook_rejected_total{$S}[$__rate_interval]))" + OR_ZERO),
              "{{reason}}")],
            unit="reqps",
            description="signature_missing / _malformed / _stale / _mismatch answer 401; malformed_body answers "
                        f"400. {spike.name} fires above {spike.threshold:g}/s of signature failures.")
    d.panel("bargauge", "Rejections by reason (time range)",
            [(scoped("sum by (reason) (increase(webhook_rejected_total{$S}[$__range]))" + OR_ZERO), "{{reason}}")],
            unit="short", extra=HORIZONTAL_BARS)
    d.panel("timeseries", "Delivery lag p50 / p95 / p99 (bank event to our receipt)",
            quantiles("payment_webhook_delivery_lag_seconds", "le", P50_P95_P99), unit="s", exemplar=True,
            description="From the event's occurred_at to our receipt, for every verified, well-formed webhook "
                        "(redeliveries included); 0 when the bank's clock is ahead of ours. A rising lag with a "
                        "flat acknowledgement latency points at the bank's delivery, not at us.")
    d.panel("timeseries", "Settlement time p95 (creation to terminal status, includes webhook delivery)",
            quantiles("payment_time_to_terminal_seconds", "le, status", [("0.95", "{{status}}")],
                      matchers=', status=~"completed|returned"'),
            unit="s", exemplar=True)
    return d


def telemetry_health(rules: dict[str, AlertRule]) -> Dashboard:
    """The telemetry runtime's own health: drops, export failures, scrape targets."""
    dropping = alert_named(rules, "TelemetryDropping")
    fires_on = ("any increase" if dropping.threshold == 0
                else f"an increase above {dropping.threshold:g}")
    d = Dashboard("telemetry-health", "Telemetry health",
                  "The telemetry runtime's own health: dropped items, export failures, scrape targets.",
                  "telemetry-health.json")
    d.panel("timeseries", "Telemetry dropped (/s) by signal",
            [(scoped("sum by (signal) (rate(telemetry_spans_dropped_total{$S}[$__rate_interval]))" + OR_ZERO),
              "{{signal}}")],
            unit="ops",
            description=f"{dropping.name} fires on {fires_on} over {spoken_duration(dropping.window_seconds)}. "
                        "0 until the runtime exports this counter.")
    d.panel("timeseries", "OTLP export failures (/s) by signal",
            [(scoped("sum by (signal) (rate(telemetry_export_failures_total{$S}[$__rate_interval]))" + OR_ZERO),
              "{{signal}}")],
            unit="ops")
    d.panel("stat", "Dropped (time range)",
            [scoped("sum(increase(telemetry_spans_dropped_total{$S}[$__range]))" + OR_ZERO)], width=6, unit="short")
    d.panel("stat", "Export failures (time range)",
            [scoped("sum(increase(telemetry_export_failures_total{$S}[$__range]))" + OR_ZERO)],
            width=6, unit="short")
    d.panel("stat", "Scrape targets up", [(scoped("sum by (job) (up{$S})"), "{{job}}")], width=6, unit="short")
    d.panel("stat", "Collector target up", [scoped('sum(up{job="otel-collector"})' + OR_ZERO)], width=6,
            unit="short",
            description="The OpenTelemetry collector's prometheus exporter (metrics arriving over OTLP). "
                        "0 when it is not scraped.")
    d.panel("timeseries", "Scrape duration",
            [(scoped("max by (job, instance) (scrape_duration_seconds{$S})"), "{{job}} {{instance}}")],
            width=24, unit="s")
    return d


DASHBOARDS = (payments_overview, bank_health, reconciliation, webhooks, telemetry_health)


def render_dashboard(dashboard: Dashboard) -> str:
    """The dashboard as committed: JSON indented by 2, with a trailing newline."""
    return json.dumps(dashboard.to_json(), indent=2) + "\n"


# ---- Grafana-managed alerts --------------------------------------------------------------------------------

ALERTS_HEADER = """\
# Generated by dashboards/generate.py from otel/rules/*.yml: edit the rule file and regenerate, not this file.
# Grafana-managed alert rules (mounted at /etc/grafana/provisioning/alerting): the same alerts as the Prometheus
# rule files with the same PromQL in query A (which returns a series only while the condition holds, so 'no data'
# means OK) and the rule's threshold again in C. `python3 scripts/observability` fails when they differ.
"""


class _AlertsDumper(yaml.SafeDumper):
    """Writes multi-line strings (the PromQL) as `|` blocks, as in the rule files."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_AlertsDumper.add_representer(str, _represent_str)


def grafana_uid(alert_name: str) -> str:
    """`PaymentReturnRateHigh` -> `payment-return-rate-high` (Grafana allows 40 characters)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", alert_name).lower()[:40]


def grafana_rule(alert: AlertRule) -> dict:
    """A Grafana-managed rule: A runs the rule's PromQL, B takes each series' last value, C compares it."""
    window = max(alert.window_seconds, MIN_ALERT_WINDOW_SECONDS)
    query = {"refId": "A", "expr": alert.expr.strip() + "\n", "instant": True, "range": False,
             "intervalMs": 1000, "maxDataPoints": 43200}
    reduce = {"refId": "B", "type": "reduce", "expression": "A", "reducer": "last", "settings": {"mode": "dropNN"}}
    threshold = {"refId": "C", "type": "threshold", "expression": "B",
                 "conditions": [{"evaluator": alert.grafana_evaluator()}]}
    # Grafana's $value is a text listing every query's value; $values.B.Value is the number C compared.
    annotations = {key: text.replace("$value", "$values.B.Value") for key, text in alert.annotations.items()}
    return {
        "uid": grafana_uid(alert.name), "title": alert.name, "condition": "C",
        "data": [
            {"refId": "A", "relativeTimeRange": {"from": int(window), "to": 0}, "datasourceUid": "prometheus",
             "model": query},
            {"refId": "B", "datasourceUid": "__expr__", "model": reduce},
            {"refId": "C", "datasourceUid": "__expr__", "model": threshold},
        ],
        "noDataState": "OK", "execErrState": "Error", "for": alert.for_,
        "labels": alert.labels, "annotations": annotations, "isPaused": False,
    }


def render_alerts(rules: dict[str, AlertRule]) -> str:
    """dashboards/provisioning/alerting/payments-alerts.yaml: one Grafana rule per alerting rule."""
    provisioning = {"apiVersion": 1, "groups": [{
        "orgId": 1, "name": "payments", "folder": "Payments", "interval": "1m",
        "rules": [grafana_rule(alert) for alert in rules.values()]}]}
    return ALERTS_HEADER + yaml.dump(provisioning, Dumper=_AlertsDumper, sort_keys=False, width=140)


# ---- main --------------------------------------------------------------------------------------------------

def generated_files() -> dict[Path, str]:
    """Every generated file and its content."""
    rules = load_alert_rules()
    files = {}
    for build in DASHBOARDS:
        dashboard = build(rules)
        files[DASHBOARD_DIR / dashboard.file_name] = render_dashboard(dashboard)
    files[ALERTS_FILE] = render_alerts(rules)
    return files


def differences(files: dict[Path, str], generator: str) -> list[str]:
    """Why each committed file differs from `files`, as `generator` would write them."""
    problems = []
    for path, content in files.items():
        name = path.relative_to(ROOT)
        if not path.exists():
            problems.append(f"{name} is missing")
        elif path.read_text(encoding="utf-8") != content:
            problems.append(f"{name} differs from what {generator} generates")
    return problems


def out_of_sync(files: dict[Path, str]) -> list[str]:
    """Why each committed file differs from `files`, plus dashboards JSON that nothing generates."""
    problems = differences(files, "dashboards/generate.py")
    # scripts/slo/generate.py writes and checks the SLO dashboards.
    for path in sorted(set(DASHBOARD_DIR.glob("*.json")) - set(files) - set(DASHBOARD_DIR.glob("slo-*.json"))):
        problems.append(f"{path.relative_to(ROOT)} is not generated by dashboards/generate.py")
    return problems


def write_or_check(argv: list[str], description: str, files: dict[Path, str],
                   out_of_sync: Callable[[dict[Path, str]], list[str]], name: str, fix_command: str) -> int:
    """A generator's command line: writes `files`, or with --check reports what `out_of_sync` finds (prefixed
    with `name`) and how to fix it; returns the exit status."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a committed file differs from what would be generated; write nothing")
    args = parser.parse_args(argv)
    if args.check:
        problems = out_of_sync(files)
        for problem in problems:
            print(f"{name} --check: {problem}", file=sys.stderr)
        if problems:
            print(f"{name} --check: to fix, run `{fix_command}` and commit the result", file=sys.stderr)
            return 1
        print(f"{name} --check: {len(files)} generated files are in sync")
        return 0
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8", newline="\n")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


def main(argv: list[str]) -> int:
    """Writes the generated files, or with --check compares them; returns the exit status."""
    return write_or_check(argv, __doc__.splitlines()[0], generated_files(), out_of_sync, "generate.py", FIX_COMMAND)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
