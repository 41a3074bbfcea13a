#!/usr/bin/env python3
"""Generates the SLO recording rules, burn-rate alerts and dashboards from otel/slos.yaml.

Writes
  otel/rules/slos.rules.yml          one rule group per SLO: its error ratio over every window, the bad events its
                                     alerts' guard counts, the error budget left over the period, and the
                                     multiwindow, multi-burn-rate alerts
  dashboards/json/slo-<family>.json  one Grafana dashboard per SLO family, in the style of dashboards/generate.py
dashboards/generate.py then mirrors the alerts into Grafana-managed rules, as it does for every rule file, so run it
after this one.

Usage
  python3 scripts/slo/generate.py           rewrite the files
  python3 scripts/slo/generate.py --check   regenerate in memory; exit 1 naming every committed file that differs
"""
from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
SPEC_FILE = ROOT / "otel" / "slos.yaml"
RULES_FILE = ROOT / "otel" / "rules" / "slos.rules.yml"
DASHBOARD_DIR = ROOT / "dashboards" / "json"
DASHBOARD_PATTERN = "slo-*.json"
FIX_COMMAND = "python3 scripts/slo/generate.py && python3 dashboards/generate.py"


def _load_dashboards_module() -> ModuleType:
    """dashboards/generate.py, whose Dashboard class and helpers give these dashboards the same look."""
    spec = importlib.util.spec_from_file_location("dashboards_generate", ROOT / "dashboards" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


dash = _load_dashboards_module()

_SELECTOR = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\{.*\}")
_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def number(value: Decimal) -> str:
    """A threshold as PromQL and dashboards/generate.py read it: plain decimal notation, no exponent."""
    return format(value.normalize(), "f")


def spoken(window: str) -> str:
    """`1h` -> `hour`, `30m` -> `30 minutes`, `3d` -> `3 days`: for "over the last ..."."""
    seconds = dash.duration_seconds(window)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = int(seconds // size)
            return unit if count == 1 else f"{count} {unit}s"
    raise ValueError(f"window {window!r} is not whole minutes")


def lasting(days: Decimal) -> str:
    """How long a budget lasts: `about 2 days`, `about 10 hours`."""
    if days >= 2:
        return f"about {round(days)} days"
    return f"about {round(days * 24)} hours"


def scope(selector: str, matchers: str) -> str:
    """`metric{a="b"}` with `matchers` added first (the dashboards' $job/$instance filter), or `metric` without
    its empty braces when there are none."""
    metric, rest = selector.split("{", 1)
    if not matchers:
        return metric if rest == "}" else selector
    return f"{metric}{{{matchers}{'' if rest == '}' else ', '}{rest}"


def summed(function: str, selector: str, window: str, by: str) -> str:
    """`sum by (job) (rate(x[5m]))`."""
    return f"sum by ({by}) ({function}({selector}[{window}]))"


@dataclass(frozen=True)
class BurnAlert:
    """One multiwindow burn-rate alert: fires while both windows burn the budget `burn_rate` times too fast."""

    severity: str
    burn_rate: Decimal
    long: str
    short: str


@dataclass(frozen=True)
class SLO:
    """One objective: the events it counts and which of them are bad."""

    name: str
    title: str
    family: str
    objective: Decimal
    events: str
    bad_events: str
    total: str
    bad: str | None
    good: str | None
    runbook: str

    @property
    def budget(self) -> Decimal:
        """The error budget as a ratio: 0.005 for 99.5%."""
        return (100 - self.objective) / 100

    @property
    def alert_stem(self) -> str:
        """`client-api-availability` -> `ClientApiAvailability`."""
        return "".join(part.capitalize() for part in self.name.split("-"))

    def alert_name(self, alert: BurnAlert) -> str:
        """`ClientApiAvailabilityBudgetBurn1h`: the SLO and the alert's long window."""
        return f"{self.alert_stem}BudgetBurn{alert.long}"

    def bad_events_expr(self, function: str, window: str, by: str = "job", matchers: str = "") -> str:
        """Bad events by `by` (rate or increase). Never empty where there are events: a bad-event series that does
        not exist yet counts 0."""
        total = scope(self.total, matchers)
        if self.bad:
            bad = scope(self.bad, matchers)
            return (f"(\n  {summed(function, bad, window, by)}\n  or\n"
                    f"  0 * {summed(function, total, window, by)}\n)")
        good = scope(self.good, matchers)
        return f"(\n  {summed(function, total, window, by)}\n  -\n  {summed(function, good, window, by)}\n)"

    def events_expr(self, function: str, window: str, by: str = "job", matchers: str = "") -> str:
        """Every event by `by`."""
        return summed(function, scope(self.total, matchers), window, by)

    def error_ratio_expr(self, window: str) -> str:
        """Bad events over all events in `window`, by job: 0 for a healthy service, NaN without events."""
        return f"{self.bad_events_expr('rate', window)}\n/\n{self.events_expr('rate', window)}\n"


@dataclass(frozen=True)
class Family:
    """SLOs that share a dashboard."""

    name: str
    title: str
    description: str
    view: dict
    slos: list[SLO]


@dataclass(frozen=True)
class Spec:
    """otel/slos.yaml."""

    period: str
    windows: list[str]
    alerts: list[BurnAlert]
    min_bad_events: int
    families: list[Family]

    @property
    def slos(self) -> list[SLO]:
        """Every SLO, family by family."""
        return [slo for family in self.families for slo in family.slos]


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"generate.py: {SPEC_FILE.relative_to(ROOT)}: {message}")


def load_spec(path: Path = SPEC_FILE) -> Spec:
    """Reads and checks otel/slos.yaml; a mistake stops the generator with a message naming it."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    windows = [str(window) for window in raw["windows"]]
    seconds = [dash.duration_seconds(window) for window in windows]
    _require(seconds == sorted(seconds), "windows must be listed shortest first")
    alerts = [BurnAlert(str(a["severity"]), Decimal(str(a["burn_rate"])), str(a["long"]), str(a["short"]))
              for a in raw["alerts"]]
    for alert in alerts:
        _require(alert.long in windows and alert.short in windows,
                 f"the {alert.long}/{alert.short} alert's windows are not all in `windows`")
    families = []
    for family in raw["families"]:
        slos = []
        for item in family["slos"]:
            slo = SLO(name=item["name"], title=item["title"], family=family["name"],
                      objective=Decimal(str(item["objective"])), events=item["events"],
                      bad_events=item["bad_events"], total=item["total"], bad=item.get("bad"),
                      good=item.get("good"), runbook=item["runbook"].strip())
            _require(bool(_NAME.fullmatch(slo.name)), f"SLO name {slo.name!r} is not lower-case-with-dashes")
            _require(0 < slo.objective < 100, f"{slo.name}: objective must be a percentage below 100")
            _require((slo.bad is None) != (slo.good is None), f"{slo.name}: give exactly one of `bad` and `good`")
            for selector in (slo.total, slo.bad or slo.good):
                _require(bool(_SELECTOR.fullmatch(selector)), f"{slo.name}: {selector!r} needs braces")
            for alert in alerts:
                _require(len(dash.grafana_uid(slo.alert_name(alert))) <= 40,
                         f"{slo.name}: {slo.alert_name(alert)} is too long for a Grafana uid")
            slos.append(slo)
        families.append(Family(family["name"], family["title"], family["description"], family["view"], slos))
    spec = Spec(str(raw["period"]), windows, alerts, int(raw["min_bad_events"]), families)
    names = [slo.name for slo in spec.slos]
    _require(len(names) == len(set(names)), "SLO names must be unique")
    return spec


# ---- rules ---------------------------------------------------------------------------------------------------

RULES_HEADER = """\
# Generated by scripts/slo/generate.py from otel/slos.yaml: edit that file and regenerate, not this one.
# Per SLO (label `slo`), by job:
#   slo:sli_error:ratio_rate<window>   bad events / events over the window (0 when healthy, NaN without events)
#   slo:sli_events:rate<base>, slo:sli_bad_events:rate<base>   the base window's rates, summed over the period
#   slo:sli_bad_events:increase<long>  bad events in each alert's long window (the alerts' minimum-events guard)
#   slo:error_budget_remaining:ratio   share of the period's error budget left (1 untouched, 0 spent, below 0 overspent)
# Alerts <SLO>BudgetBurn<long window>: multiwindow, multi-burn-rate (docs/slos.md).
"""


def _on(name: str, slo: SLO) -> str:
    return f'{name}{{slo="{slo.name}"}}'


def alert_rule(spec: Spec, slo: SLO, alert: BurnAlert) -> dict:
    """The burn-rate alert: both windows above burn_rate x budget, and enough bad events to matter."""
    threshold = number(alert.burn_rate * slo.budget)
    period_days = Decimal(dash.duration_seconds(spec.period)) / 86400
    expr = (f"{_on(f'slo:sli_error:ratio_rate{alert.long}', slo)} > {threshold}\n"
            f"and\n{_on(f'slo:sli_error:ratio_rate{alert.short}', slo)} > {threshold}\n"
            f"and\n{_on(f'slo:sli_bad_events:increase{alert.long}', slo)} >= {spec.min_bad_events}\n")
    budget = f"{number(slo.budget * 100)}%"
    percentage = f"{number(alert.burn_rate * slo.budget * 100)}%"
    return {
        "alert": slo.alert_name(alert),
        "expr": expr,
        "for": "0m",
        "labels": {"severity": alert.severity, "slo": slo.name},
        "annotations": {
            "summary": f"{slo.title}: error budget burning {number(alert.burn_rate)}x too fast "
                       f"({alert.long} and {alert.short})",
            "description": (f"{{{{ $value | humanizePercentage }}}} of {slo.events} {slo.bad_events} over the last "
                            f"{spoken(alert.long)} ({{{{ $labels.job }}}}), and more than {percentage} of them still "
                            f"over the last {spoken(alert.short)}. The objective is {number(slo.objective)}% over "
                            f"{spoken(spec.period)}, an error budget of {budget}: at {number(alert.burn_rate)} times "
                            f"that rate the budget lasts {lasting(period_days / alert.burn_rate)}."),
            "runbook": f"{slo.runbook} More in docs/slos.md ({slo.name}).",
        },
    }


def rule_group(spec: Spec, slo: SLO) -> dict:
    """Every rule of one SLO, inputs before the rules that read them (a group evaluates in order)."""
    labels = {"slo": slo.name}
    base = spec.windows[0]
    rules = [
        {"record": f"slo:sli_events:rate{base}", "expr": slo.events_expr("rate", base) + "\n", "labels": labels},
        {"record": f"slo:sli_bad_events:rate{base}", "expr": slo.bad_events_expr("rate", base) + "\n",
         "labels": labels},
        {"record": f"slo:sli_error:ratio_rate{base}",
         "expr": f"{_on(f'slo:sli_bad_events:rate{base}', slo)} / {_on(f'slo:sli_events:rate{base}', slo)}",
         "labels": labels},
    ]
    rules += [{"record": f"slo:sli_error:ratio_rate{window}", "expr": slo.error_ratio_expr(window), "labels": labels}
              for window in spec.windows[1:]]
    rules += [{"record": f"slo:sli_bad_events:increase{window}",
               "expr": slo.bad_events_expr("increase", window) + "\n", "labels": labels}
              for window in dict.fromkeys(alert.long for alert in spec.alerts)]
    rules += [
        # Summing the base window's recorded rates keeps the period's ratio weighted by traffic without reading a
        # period of raw samples at every evaluation.
        {"record": f"slo:sli_error:ratio_rate{spec.period}",
         "expr": (f"sum_over_time({_on(f'slo:sli_bad_events:rate{base}', slo)}[{spec.period}])\n/\n"
                  f"sum_over_time({_on(f'slo:sli_events:rate{base}', slo)}[{spec.period}])\n"),
         "labels": labels},
        {"record": "slo:error_budget_remaining:ratio",
         "expr": f"1 - {_on(f'slo:sli_error:ratio_rate{spec.period}', slo)} / {number(slo.budget)}",
         "labels": labels},
    ]
    rules += [alert_rule(spec, slo, alert) for alert in spec.alerts]
    return {"name": f"slo-{slo.name}", "rules": rules}


class _RulesDumper(dash._AlertsDumper):
    """PromQL as `|` blocks like the hand-written rule files; every SLO's labels spelled out, not YAML aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def render_rules(spec: Spec) -> str:
    """otel/rules/slos.rules.yml; one line per annotation, as in payments.rules.yml."""
    groups = {"groups": [rule_group(spec, slo) for slo in spec.slos]}
    return RULES_HEADER + yaml.dump(groups, Dumper=_RulesDumper, sort_keys=False, width=1_000_000)


# ---- dashboards ----------------------------------------------------------------------------------------------

JOB = 'job=~"$job"'
HTTP = "http_server_request_duration_seconds"
BURN_COLORS = ("yellow", "orange", "red")


class SLODashboard(dash.Dashboard):
    """A dashboard of dashboards/generate.py, tagged `slo` as well."""

    def to_json(self) -> dict:
        """The model, with the extra tag."""
        model = super().to_json()
        model["tags"] = ["payments", "slo"]
        return model


def thresholds(*steps: tuple[str, Decimal | float | None]) -> dict:
    """Grafana absolute thresholds from (color, from-value) steps, the first from -infinity."""
    return {"mode": "absolute", "steps": [{"color": color, "value": None if value is None else float(value)}
                                          for color, value in steps]}


def _on_job(name: str, slo: SLO) -> str:
    return f'{name}{{slo="{slo.name}", {JOB}}}'


def slo_panels(d: SLODashboard, spec: Spec, slo: SLO) -> None:
    """The SLO's row: objective and attainment, budget left, burn rates against the alerts' thresholds."""
    period, budget = spec.period, slo.budget
    objective = f"{number(slo.objective)}%"
    d.row(f"{slo.title}: objective {objective} over {spoken(period)}")
    d.panel("stat", f"Good {slo.events} ({period})",
            [(f"1 - {_on_job(f'slo:sli_error:ratio_rate{period}', slo)}", "{{job}}")],
            width=5, height=6, unit="percentunit",
            description=f"Share of {slo.events} that were good over the last {spoken(period)}; bad ones "
                        f"{slo.bad_events}. Red below the objective, {objective}.",
            field_defaults={"decimals": 3, "color": {"mode": "thresholds"},
                            "thresholds": thresholds(("red", None), ("green", slo.objective / 100))})
    d.panel("stat", f"Error budget left ({period})",
            [(_on_job("slo:error_budget_remaining:ratio", slo), "{{job}}")],
            width=5, height=6, unit="percentunit",
            description=f"The budget is {number(budget * 100)}% of {slo.events} over {spoken(period)}. 100% "
                        "untouched, 0 spent, negative overspent (the objective is missed).",
            field_defaults={"decimals": 1, "color": {"mode": "thresholds"},
                            "thresholds": thresholds(("red", None), ("orange", 0), ("green", 0.25))})
    burn_targets = [(f"{_on_job(f'slo:sli_error:ratio_rate{alert.long}', slo)} / {number(budget)}",
                     f"{alert.long} {{{{job}}}}") for alert in spec.alerts]
    d.panel("stat", "Burn rate now (alerts' long windows)", burn_targets, width=9, height=6, unit="none",
            description="Error ratio over each alert's long window divided by the budget: 1 spends the budget "
                        f"exactly in {spoken(period)}. "
                        + "; ".join(f"{alert.long} turns red at {number(alert.burn_rate)} "
                                    f"({alert.severity}, with the {alert.short} window above it too)"
                                    for alert in spec.alerts) + ".",
            field_defaults={"decimals": 2, "color": {"mode": "thresholds"}})
    d.panels[-1]["fieldConfig"]["overrides"] = [
        {"matcher": {"id": "byFrameRefID", "options": chr(ord("A") + index)},
         "properties": [{"id": "thresholds",
                         "value": thresholds(("green", None), ("red", alert.burn_rate))}]}
        for index, alert in enumerate(spec.alerts)]
    d.panel("stat", "Burn-rate alerts firing",
            [f'count(ALERTS{{alertstate="firing", slo="{slo.name}", {JOB}}}) or on() vector(0)'],
            width=5, height=6, unit="short",
            description="Prometheus's ALERTS for " + ", ".join(slo.alert_name(alert) for alert in spec.alerts)
                        + ". Grafana's copies of them are under Alerting.",
            field_defaults={"color": {"mode": "thresholds"}, "thresholds": thresholds(("green", None), ("red", 1))})
    rates = sorted({window for alert in spec.alerts for window in (alert.long, alert.short)},
                   key=dash.duration_seconds)
    burn_steps = [("green", None)] + [(color, alert.burn_rate) for color, alert in
                                      zip(BURN_COLORS, sorted(spec.alerts, key=lambda a: a.burn_rate))]
    d.panel("timeseries", "Burn rate by window",
            [(f"{_on_job(f'slo:sli_error:ratio_rate{window}', slo)} / {number(budget)}", f"{window} {{{{job}}}}")
             for window in rates],
            width=12, unit="none",
            description="Lines at the alerts' burn rates: " + "; ".join(
                f"{number(alert.burn_rate)} ({alert.severity}) when both {alert.long} and {alert.short} pass it"
                for alert in spec.alerts) + f". A line needs {slo.events} in its window (no events, no line).",
            field_defaults={"thresholds": thresholds(*burn_steps), "custom": {"thresholdsStyle": {"mode": "line"}}})
    d.panel("timeseries", f"Error budget left ({period} window)",
            [(_on_job("slo:error_budget_remaining:ratio", slo), "{{job}}")],
            width=12, unit="percentunit",
            description=f"Below 0 the {spoken(period)} objective is missed.",
            field_defaults={"thresholds": thresholds(("red", None), ("green", 0)),
                            "custom": {"thresholdsStyle": {"mode": "line"}}})


def http_route_panels(d: SLODashboard, routes: str) -> None:
    """Rate, errors and duration of the family's routes, from http_server_request_duration_seconds."""
    on_routes = f'$S, http_route=~"{routes}"'
    requests = f"rate({HTTP}_count{{{on_routes}}}[$__rate_interval])"
    errors = f'rate({HTTP}_count{{{on_routes}, http_response_status_code=~"5.."}}[$__rate_interval])'
    errors_by_route = f"(sum by (http_route) ({errors}) or 0 * sum by (http_route) ({requests}))"
    d.row(f"Requests, errors and duration by route ({routes})")
    d.panel("timeseries", "Requests by route (/s)", [(dash.scoped(f"sum by (http_route) ({requests})"),
                                                      "{{http_route}}")], width=8, unit="reqps")
    d.panel("timeseries", "Requests by status code (/s)",
            [(dash.scoped(f"sum by (http_response_status_code) ({requests})"), "{{http_response_status_code}}")],
            width=8, unit="reqps")
    d.panel("timeseries", "Requests in flight by method (whole server)",
            [(dash.scoped("sum by (http_request_method) (http_server_active_requests{$S})" + dash.OR_ZERO),
              "{{http_request_method}}")],
            width=8, unit="short")
    d.panel("timeseries", "5xx by route (/s)", [(dash.scoped(errors_by_route), "{{http_route}}")],
            width=12, unit="reqps", description="0 for a route that has answered no 5xx.")
    d.panel("timeseries", "5xx share by route",
            [(dash.scoped(f"{errors_by_route} / sum by (http_route) ({requests})"), "{{http_route}}")],
            width=12, unit="percentunit")
    d.panel("timeseries", "Duration p50 / p95 / p99 by route",
            dash.quantiles(HTTP, "le, http_route",
                           [(q, f"{name} {{{{http_route}}}}") for q, name in dash.P50_P95_P99],
                           matchers=f', http_route=~"{routes}"'),
            width=24, unit="s", exemplar=True,
            description="Every answer counts, errors included. NotFound is every path no route matches.")


def bank_submission_panels(d: SLODashboard, slos: list[SLO]) -> None:
    """Submissions concluded and late, the delay's quantiles, and what makes them late: the bank, the queue."""
    slo = slos[0]
    d.row("Submissions, the bank and the queue")
    d.panel("timeseries", f"{slo.events.capitalize()} concluded and late (/s)",
            [(dash.scoped(slo.events_expr("rate", "$__rate_interval", "job", "$S")), "concluded {{job}}"),
             (dash.scoped(slo.bad_events_expr("rate", "$__rate_interval", "job", "$S")), "late {{job}}")],
            width=8, unit="ops",
            description=f"A submission concludes when the bank accepts or rejects the payment, or when we give up; "
                        f"late ones {slo.bad_events}.")
    d.panel("timeseries", "Submission delay p50 / p95 / p99 (acceptance to the bank's answer)",
            dash.quantiles("payment_submission_delay_seconds", "le", dash.P50_P95_P99), width=16, unit="s",
            exemplar=True)
    d.panel("timeseries", "Bank submit calls by outcome (/s)",
            [(dash.scoped('sum by (outcome) (rate(bank_request_duration_seconds_count{$S, operation="submit"}'
                          '[$__rate_interval]))' + dash.OR_ZERO), "{{outcome}}")],
            width=8, unit="reqps", description="Bank health has the whole picture: latency, throttle, 429s.")
    d.panel("timeseries", "Bank throttle state (0 open, 1 throttling, 2 dead)",
            [(dash.scoped("max by (instance) (bank_circuit_state{$S})"), "{{instance}}")], width=8, unit="short")
    d.panel("timeseries", "Oldest submission job waiting",
            [(dash.scoped('max(job_queue_oldest_age_seconds{$S, kind="submit"})'), "oldest submit job")],
            width=8, unit="s", description="Whole database, sampled every 10 s.")


VIEWS = {"http_routes": lambda d, family: http_route_panels(d, family.view["routes"]),
         "bank_submission": lambda d, family: bank_submission_panels(d, family.slos)}


def family_dashboard(spec: Spec, family: Family) -> SLODashboard:
    """The family's dashboard: a row per SLO, then the family's own view of its traffic."""
    d = SLODashboard(f"slo-{family.name}", f"SLO: {family.title}",
                     f"{family.description} Objectives, error budget left over {spoken(spec.period)} and burn "
                     "rates per SLO (by job, every instance together), from otel/slos.yaml; then the traffic.",
                     f"slo-{family.name}.json")
    for slo in family.slos:
        slo_panels(d, spec, slo)
    VIEWS[family.view["kind"]](d, family)
    return d


# ---- main ----------------------------------------------------------------------------------------------------

def generated_files(spec: Spec) -> dict[Path, str]:
    """Every generated file and its content."""
    files = {RULES_FILE: render_rules(spec)}
    for family in spec.families:
        dashboard = family_dashboard(spec, family)
        files[DASHBOARD_DIR / dashboard.file_name] = dash.render_dashboard(dashboard)
    return files


def out_of_sync(files: dict[Path, str]) -> list[str]:
    """Why each committed file differs from `files`, plus slo-*.json dashboards no family generates."""
    problems = dash.differences(files, "scripts/slo/generate.py")
    for path in sorted(set(DASHBOARD_DIR.glob(DASHBOARD_PATTERN)) - set(files)):
        problems.append(f"{path.relative_to(ROOT)} belongs to no SLO family of {SPEC_FILE.relative_to(ROOT)}")
    return problems


def main(argv: list[str]) -> int:
    """Writes the generated files, or with --check compares them; returns the exit status."""
    return dash.write_or_check(argv, __doc__.splitlines()[0], generated_files(load_spec()), out_of_sync,
                               "slo/generate.py", FIX_COMMAND)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
