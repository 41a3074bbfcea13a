"""Live checks against Prometheus' HTTP API: every dashboard variable, panel query and alert expression must
parse, every variable and panel query must return data, and the rules must behave as the load predicts."""
from __future__ import annotations

import os
import re

from configs import (EXPECTED_ALERTS, grafana_rules, panels_of, prometheus_rules, read_dashboards, slo_recordings,
                     variables_of)
from httpclient import query_prometheus, request
from report import Report
from stack import wait_until

# What Grafana would put in place of its variables and macros: every job and instance, typical ranges.
GRAFANA_SUBSTITUTIONS = [("${__rate_interval}", "1m"), ("$__rate_interval", "1m"), ("${__range}", "1h"),
                         ("$__range", "1h"), ("${__interval}", "15s"), ("$__interval", "15s"), ("${job}", ".*"),
                         ("$job", ".*"), ("${instance}", ".*"), ("$instance", ".*")]
LABEL_VALUES = re.compile(r"label_values\((.*),\s*(\w+)\)")
# Under the load (30% of payments returned, no bank faults) only the 15-minute return-rate condition holds. The NACHA
# 60-day return-rate alerts stay quiet although every class is over its threshold: 40 entries are far below their
# 500-entry volume guard.
FIRING_UNDER_LOAD = {"PaymentReturnRateHigh"}


def substitute(expr: str) -> str:
    """Replaces Grafana's variables and macros in `expr` with values Prometheus accepts."""
    for variable, value in GRAFANA_SUBSTITUTIONS:
        expr = expr.replace(variable, value)
    return expr


def check_variables(report: Report, prometheus: str, path: str, dashboard: dict) -> None:
    """Each query variable (label_values(...)) has values."""
    for variable in variables_of(dashboard):
        if variable.get("type") != "query":
            continue
        query = variable.get("query")
        query = query.get("query") if isinstance(query, dict) else query
        match = LABEL_VALUES.fullmatch(query or "")
        if not match:
            report.fail(f"{path} variable {variable.get('name')}: unsupported query {query!r}")
            continue
        expr = substitute(f"count by ({match.group(2)}) ({match.group(1)})")
        answer = query_prometheus(prometheus, expr)
        report.check(answer.get("status") == "success" and answer["data"]["result"],
                     f"{path} variable ${variable.get('name')} has values",
                     f"{expr} -> {answer.get('error') or 'no data'}")


def check_panels(report: Report, prometheus: str, path: str, dashboard: dict) -> None:
    """Each panel query parses and returns data."""
    for panel in panels_of(dashboard):
        for target in panel.get("targets") or []:
            expr = substitute(target.get("expr", ""))
            if not expr:
                continue
            answer = query_prometheus(prometheus, expr)
            name = f"{os.path.basename(path)} '{panel.get('title')}' {target.get('refId')}"
            if report.check(answer.get("status") == "success", f"{name} parses", f"{expr} -> {answer.get('error')}"):
                report.check(len(answer["data"]["result"]) > 0, f"{name} returns data", f"{expr} -> empty")


def check_alert_expressions(report: Report, prometheus: str) -> None:
    """Every alert expression, in the rule files and in the Grafana-managed rules, evaluates."""
    exprs = [(f"rule {name}", rule["expr"]) for name, rule in prometheus_rules().items()]
    for name, rule in grafana_rules().items():
        for data in rule.get("data", []):
            if data.get("datasourceUid") != "__expr__":
                exprs.append((f"Grafana alert {name} {data.get('refId')}", data.get("model", {}).get("expr", "")))
    for name, expr in exprs:
        answer = query_prometheus(prometheus, expr)
        report.check(answer.get("status") == "success", f"{name} evaluates", f"{answer.get('error')}")


def check_conditions_under_load(report: Report, prometheus: str) -> None:
    """Under the load only the return-rate alert condition holds."""
    for name, rule in sorted(prometheus_rules().items()):
        answer = query_prometheus(prometheus, rule["expr"])
        if answer.get("status") != "success":
            continue
        holds = len(answer["data"]["result"]) > 0
        expected = name in FIRING_UNDER_LOAD
        report.check(holds == expected,
                     f"rule {name} condition {'holds' if expected else 'is quiet'} under SANDBOX_RETURN_RATE=0.3",
                     f"got {answer['data']['result']}")


def check_loaded_rules(report: Report, prometheus: str) -> None:
    """Prometheus loaded the rule files and evaluates every alert without errors."""
    try:
        groups = request(f"{prometheus}/api/v1/rules").json()["data"]["groups"]
    except (ValueError, KeyError, TypeError) as error:
        report.fail(f"Prometheus /api/v1/rules: {error!r}")
        return
    loaded = {rule["name"]: rule for group in groups for rule in group["rules"]}
    report.check(set(loaded) >= EXPECTED_ALERTS, f"Prometheus loaded the {len(EXPECTED_ALERTS)} alerting rules",
                 f"got {sorted(loaded)}")
    for name in sorted(set(loaded) & EXPECTED_ALERTS):
        rule = loaded[name]
        report.check(rule.get("health") == "ok", f"Prometheus evaluates rule {name} healthily",
                     f"health={rule.get('health')} {rule.get('lastError', '')}")


def wait_for_rule_groups(report: Report, prometheus: str) -> None:
    """Waits until Prometheus evaluated every rule group once: a group with its own `interval` (1m for the 60-day
    return rates) first runs up to that long after Prometheus starts, and until then its recorded series are missing
    and its rules' health is unknown."""
    def groups() -> list[dict]:
        try:
            return request(f"{prometheus}/api/v1/rules").json()["data"]["groups"]
        except (ValueError, KeyError, TypeError):
            return []

    def unevaluated() -> list[str]:
        # A group not evaluated yet reports the zero time, 0001-01-01T00:00:00Z.
        return [group["name"] for group in groups() if group.get("lastEvaluation", "0001").startswith("0001")]

    seconds = max((float(group.get("interval") or 0) for group in groups()), default=0) + 15
    report.check(wait_until(lambda: groups() and not unevaluated(), seconds, 1),
                 "Prometheus evaluated every rule group", f"not within {seconds:g} s: {unevaluated()}")


def check_slo_recordings(report: Report, prometheus: str) -> None:
    """Each SLO's recording rules write a series under the load: a healthy SLI records 0, it does not go missing
    (which would leave its alerts and budget blind)."""
    answer = query_prometheus(prometheus, 'count by (__name__, slo) ({__name__=~"slo:.+"})')
    recorded = {(series["metric"].get("slo"), series["metric"]["__name__"])
                for series in (answer.get("data") or {}).get("result", [])}
    for slo, names in sorted(slo_recordings().items()):
        missing = sorted(name for name in names if (slo, name) not in recorded)
        report.check(not missing, f"SLO {slo}: its {len(names)} recording rules record series", f"missing {missing}")


def run(report: Report, prometheus: str) -> None:
    """Every live check, against the Prometheus server at `prometheus`."""
    wait_for_rule_groups(report, prometheus)
    for path, dashboard in read_dashboards():
        check_variables(report, prometheus, path, dashboard)
        check_panels(report, prometheus, path, dashboard)
    check_alert_expressions(report, prometheus)
    check_conditions_under_load(report, prometheus)
    check_loaded_rules(report, prometheus)
    check_slo_recordings(report, prometheus)
