"""Reads the observability configuration: YAML files, dashboards, and the Prometheus and Grafana alert rules.

Paths are relative to the repository root, the working directory of every check.
"""
from __future__ import annotations

import glob
import json
from collections.abc import Iterator

import yaml

from report import Report

EXPECTED_ALERTS = {"PaymentReturnRateHigh", "PaymentsStuckInProcessing", "BankCircuitOpen",
                   "WebhookSignatureFailuresSpike", "TelemetryDropping", "PaymentStatusCorrected", "JobsDeadLettered",
                   "PaymentsUnreconciled", "ClientWebhookDeliveryBacklog", "ClientWebhookEndpointDisabled",
                   "ClientWebhookDeliveryFailureRatio"}
# otel/rules/returns.rules.yml: NACHA's 60-day return-rate thresholds, for the originator and for each client.
EXPECTED_ALERTS |= {"UnauthorizedReturnsNearLimit", "UnauthorizedReturnsOverLimit", "AdministrativeReturnsNearLimit",
                    "AdministrativeReturnsOverLimit", "TotalReturnsNearLimit", "TotalReturnsOverLimit",
                    "ClientUnauthorizedReturnsNearLimit", "ClientUnauthorizedReturnsOverLimit",
                    "ClientAdministrativeReturnsNearLimit", "ClientAdministrativeReturnsOverLimit",
                    "ClientTotalReturnsNearLimit", "ClientTotalReturnsOverLimit"}
# otel/rules/slos.rules.yml (from otel/slos.yaml): each SLO's burn-rate alerts, by their long windows.
EXPECTED_ALERTS |= {f"{slo}BudgetBurn{window}" for window in ("1h", "6h", "3d")
                    for slo in ("ClientApiAvailability", "PaymentCreateLatency", "WebhookAckAvailability",
                                "WebhookAckLatency", "BankSubmissionDelay")}
DASHBOARDS = "dashboards/json/*.json"
GRAFANA_ALERTS = "dashboards/provisioning/alerting/*.yaml"


def load_yaml(report: Report, path: str) -> dict:
    """The mapping in `path`, counting whether it parses; {} when it does not."""
    try:
        with open(path) as file:
            data = yaml.safe_load(file)
    except Exception as error:  # noqa: BLE001 - any failure to read or parse is the finding
        report.fail(f"{path} parses as YAML: {error}")
        return {}
    report.check(isinstance(data, dict), f"{path} parses as YAML")
    return data if isinstance(data, dict) else {}


def load_dashboards(report: Report) -> list[tuple[str, dict]]:
    """Every dashboard JSON by path, counting whether each parses."""
    dashboards = []
    for path in sorted(glob.glob(DASHBOARDS)):
        try:
            with open(path) as file:
                dashboards.append((path, json.load(file)))
        except Exception as error:  # noqa: BLE001
            report.fail(f"{path} parses as JSON: {error}")
            continue
        report.ok(f"{path} parses as JSON")
    return dashboards


def read_dashboards() -> list[tuple[str, dict]]:
    """Every dashboard that parses, without counting (load_dashboards already did)."""
    dashboards = []
    for path in sorted(glob.glob(DASHBOARDS)):
        try:
            with open(path) as file:
                dashboards.append((path, json.load(file)))
        except (OSError, ValueError):
            pass
    return dashboards


def panels_of(dashboard: dict) -> Iterator[dict]:
    """Every panel, including those nested in collapsed rows."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def variables_of(dashboard: dict) -> list[dict]:
    """The dashboard's template variables."""
    return (dashboard.get("templating") or {}).get("list", [])


def rule_files() -> list[str]:
    """otel/rules/*.yml without the promtool unit tests (*.test.yml)."""
    return [path for path in sorted(glob.glob("otel/rules/*.yml")) if not path.endswith(".test.yml")]


def prometheus_rules() -> dict[str, dict]:
    """Every Prometheus alerting rule by name."""
    rules = {}
    for path in rule_files():
        with open(path) as file:
            for group in yaml.safe_load(file).get("groups", []):
                for rule in group.get("rules", []):
                    if "alert" in rule:
                        rules[rule["alert"]] = rule
    return rules


def slo_recordings() -> dict[str, set[str]]:
    """The series each SLO's recording rules write (otel/rules/slos.rules.yml), by the SLO's `slo` label."""
    recordings: dict[str, set[str]] = {}
    with open("otel/rules/slos.rules.yml") as file:
        for group in yaml.safe_load(file).get("groups", []):
            for rule in group.get("rules", []):
                if "record" in rule:
                    recordings.setdefault(rule["labels"]["slo"], set()).add(rule["record"])
    return recordings


def grafana_rules() -> dict[str, dict]:
    """Every Grafana-managed alert rule by title."""
    rules = {}
    for path in sorted(glob.glob(GRAFANA_ALERTS)):
        with open(path) as file:
            for group in (yaml.safe_load(file) or {}).get("groups", []):
                for rule in group.get("rules", []):
                    rules[rule["title"]] = rule
    return rules
