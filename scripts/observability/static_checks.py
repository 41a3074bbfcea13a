"""Static checks: compose.yaml, the Dockerfile, the collector, Prometheus and Grafana configs, the dashboards,
the two copies of the alert rules, and that the generated files are what scripts/slo/generate.py and
dashboards/generate.py generate."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from configs import (EXPECTED_ALERTS, grafana_rules, load_dashboards, load_yaml, panels_of, prometheus_rules,
                     variables_of)
from report import Report

COMPOSE_SERVICES = ["postgres", "orchestrator", "bank-sandbox", "otel-collector", "jaeger", "prometheus", "grafana"]
PINNED_IMAGES = {"otel-collector": "otel/opentelemetry-collector-contrib:", "jaeger": "jaegertracing/all-in-one:",
                 "prometheus": "prom/prometheus:", "grafana": "grafana/grafana:", "postgres": "postgres:"}
DEPENDENCY_CONDITIONS = ("service_started", "service_healthy", "service_completed_successfully")
ORCHESTRATOR_SETTINGS = ("DATABASE_URL", "PAYMENTS_API_KEYS", "BANK_BASE_URL", "BANK_WEBHOOK_SECRET",
                         "OTEL_SERVICE_NAME")
COLLECTOR_ENDPOINT = "http://otel-collector:4318"


def check_compose(report: Report) -> dict:
    """compose.yaml: services, pinned images, dependencies, mounts, the orchestrator's settings. Returns services."""
    compose = load_yaml(report, "compose.yaml")
    services = compose.get("services", {}) or {}
    report.check(all(name in services for name in COMPOSE_SERVICES), "compose.yaml has every service",
                 f"missing {[name for name in COMPOSE_SERVICES if name not in services]}")
    for name, prefix in PINNED_IMAGES.items():
        image = (services.get(name) or {}).get("image", "")
        tag = image.split(":", 1)[1] if ":" in image else ""
        report.check(image.startswith(prefix) and tag and tag != "latest" and re.search(r"\d", tag),
                     f"compose {name} image pinned ({image})")
    declared_volumes = set((compose.get("volumes") or {}).keys())
    for name, service in services.items():
        service = service or {}
        for dependency, condition in (service.get("depends_on") or {}).items():
            condition = (condition or {}).get("condition")
            report.check(dependency in services and condition in DEPENDENCY_CONDITIONS,
                         f"compose {name} depends_on {dependency} with a condition")
            if condition == "service_healthy":
                report.check("healthcheck" in (services.get(dependency) or {}),
                             f"compose {dependency} has the healthcheck {name} waits for")
        for volume in service.get("volumes") or []:
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                report.check(os.path.exists(source), f"compose {name} mount {source} exists")
            else:
                report.check(source in declared_volumes, f"compose {name} named volume {source} is declared")
    environment = (services.get("orchestrator") or {}).get("environment") or {}
    for key in ORCHESTRATOR_SETTINGS:
        report.check(key in environment, f"compose orchestrator sets {key}")
    report.check(environment.get("OTEL_EXPORTER_OTLP_ENDPOINT") == COLLECTOR_ENDPOINT,
                 f"compose orchestrator exports OTLP to {COLLECTOR_ENDPOINT}")
    command = " ".join((services.get("prometheus") or {}).get("command") or [])
    report.check("--enable-feature=exemplar-storage" in command, "compose prometheus has exemplar storage on")
    return services


def check_dockerfile(report: Report) -> None:
    """The image builds in stages and runs as a non-root user."""
    dockerfile = Path("Dockerfile")
    text = dockerfile.read_text() if dockerfile.exists() else ""
    report.check("USER " in text and text.count("FROM ") >= 2, "Dockerfile is multi-stage with a non-root user")


def check_collector(report: Report) -> None:
    """otel/collector.yaml: receivers, one pipeline per signal, Jaeger and Prometheus exporters."""
    collector = load_yaml(report, "otel/collector.yaml")
    otlp = (collector.get("receivers") or {}).get("otlp") or {}
    report.check(otlp.get("protocols", {}).get("http") is not None, "collector has an OTLP HTTP receiver")
    pipelines = (collector.get("service") or {}).get("pipelines") or {}
    for signal in ("traces", "metrics", "logs"):
        # The service exports all three signals by default; a signal without a pipeline would be refused (404)
        # and counted as export failures.
        report.check(signal in pipelines, f"collector has a {signal} pipeline")
        pipeline = pipelines.get(signal) or {}
        processors = pipeline.get("processors") or []
        report.check(processors[:1] == ["memory_limiter"] and "batch" in processors,
                     f"collector {signal} pipeline: memory_limiter first, then batch")
        for kind in ("receivers", "processors", "exporters"):
            for component in pipeline.get(kind) or []:
                report.check(component in (collector.get(kind) or {}),
                             f"collector {signal} pipeline {kind[:-1]} {component} is defined")
    exporters = collector.get("exporters") or {}
    trace_exporters = (pipelines.get("traces") or {}).get("exporters", [])
    report.check(any(name.startswith("otlp") and "jaeger" in str(exporter.get("endpoint", ""))
                     for name, exporter in exporters.items() if name in trace_exporters),
                 "collector sends traces to Jaeger over OTLP")
    prometheus = exporters.get("prometheus") or {}
    report.check((prometheus.get("resource_to_telemetry_conversion") or {}).get("enabled") is True,
                 "collector prometheus exporter turns resource attributes into labels")
    report.check(prometheus.get("add_metric_suffixes") is False,
                 "collector prometheus exporter keeps metric names unchanged")


def _targets(scrape_config: dict) -> list[str]:
    return [target for static in scrape_config.get("static_configs") or [] for target in static.get("targets") or []]


def check_prometheus_config(report: Report) -> None:
    """otel/prometheus.yml: scrapes the collector, not the service twice; rule files exist."""
    config = load_yaml(report, "otel/prometheus.yml")
    scrape_configs = config.get("scrape_configs") or []
    report.check(any(target.startswith("otel-collector:") for sc in scrape_configs for target in _targets(sc)),
                 "prometheus scrapes the collector")
    # The service's metrics come through the collector; a direct scrape may keep `up` but no samples, or every
    # series would be counted twice.
    direct = [sc for sc in scrape_configs if any(target.startswith("orchestrator:") for target in _targets(sc))]
    report.check(all(any(relabel.get("action") == "drop" and relabel.get("regex") in (".+", ".*")
                         for relabel in sc.get("metric_relabel_configs") or [])
                     for sc in direct),
                 "a direct scrape of the orchestrator keeps no samples (metrics come via the collector)")
    for rule_file in config.get("rule_files") or []:
        report.check(os.path.exists(os.path.join("otel", rule_file)), f"prometheus rule file {rule_file} resolves")


def check_grafana_provisioning(report: Report, services: dict) -> set:
    """Data sources and the dashboard provider. Returns the provisioned data source uids."""
    datasources = load_yaml(report, "dashboards/provisioning/datasources/datasources.yaml")
    by_type = {source.get("type"): source for source in datasources.get("datasources") or []}
    report.check("prometheus" in by_type and "jaeger" in by_type, "Grafana has Prometheus and Jaeger data sources")
    destinations = ((by_type.get("prometheus") or {}).get("jsonData") or {}).get("exemplarTraceIdDestinations") or []
    report.check(any(d.get("datasourceUid") == (by_type.get("jaeger") or {}).get("uid") for d in destinations),
                 "Prometheus exemplars link to the Jaeger data source")
    providers = load_yaml(report, "dashboards/provisioning/dashboards/dashboards.yaml")
    paths = [(provider.get("options") or {}).get("path") for provider in providers.get("providers") or []]
    mounts = [volume.split(":")[1] for volume in (services.get("grafana") or {}).get("volumes") or []
              if volume.startswith("./dashboards/json")]
    report.check(paths and all(path in mounts for path in paths),
                 "dashboard provider path is where compose mounts dashboards/json")
    return {source.get("uid") for source in datasources.get("datasources") or []}


def check_dashboards(report: Report, datasource_uids: set) -> None:
    """Each dashboard: variables, unique uid and panel ids, Jaeger link, known data sources."""
    seen_uids = set()
    for path, dashboard in load_dashboards(report):
        names = [variable.get("name") for variable in variables_of(dashboard)]
        report.check("instance" in names, f"{path} has an instance variable")
        report.check(dashboard.get("uid") and dashboard["uid"] not in seen_uids, f"{path} has a unique uid")
        seen_uids.add(dashboard.get("uid"))
        ids = [panel.get("id") for panel in panels_of(dashboard)]
        report.check(len(ids) == len(set(ids)), f"{path} panel ids are unique")
        text = json.dumps(dashboard)
        report.check("payment_id" in text and ("jaeger" in text or "16686" in text),
                     f"{path} links to Jaeger by payment_id")
        unknown = [f"panel '{panel.get('title')}' uses unknown data source {uid}"
                   for panel in panels_of(dashboard) for target in panel.get("targets") or []
                   if (uid := (target.get("datasource") or panel.get("datasource") or {}).get("uid"))
                   not in datasource_uids]
        report.check(not unknown, f"{path} panels use provisioned data sources", "; ".join(unknown))


def check_alert_copies(report: Report, datasource_uids: set) -> None:
    """The Prometheus rules and the Grafana-managed rules define the same alerts with the same PromQL and `for`."""
    prometheus, grafana = prometheus_rules(), grafana_rules()
    report.check(set(prometheus) == EXPECTED_ALERTS, f"Prometheus rules define the {len(EXPECTED_ALERTS)} alerts",
                 f"got {sorted(prometheus)}")
    report.check(set(grafana) == EXPECTED_ALERTS,
                 f"Grafana alert provisioning defines the {len(EXPECTED_ALERTS)} alerts", f"got {sorted(grafana)}")
    for name in sorted(EXPECTED_ALERTS & set(prometheus) & set(grafana)):
        rule, copy = prometheus[name], grafana[name]
        query: dict = next((data for data in copy.get("data", []) if data.get("refId") == "A"), {})
        same = (query.get("model", {}).get("expr", "").strip() == rule["expr"].strip()
                and copy.get("for") == rule.get("for"))
        report.check(same and query.get("datasourceUid") in datasource_uids
                     and copy.get("condition") in [data.get("refId") for data in copy.get("data", [])],
                     f"Grafana alert {name} matches the Prometheus rule")


# The generators with --check, in the order they run: the SLO rules feed the Grafana alerts.
GENERATORS = [("scripts/slo/generate.py", "SLO rules and dashboards are up to date with otel/slos.yaml"),
              ("dashboards/generate.py", "dashboards and Grafana alerts are up to date")]


def check_generated_files(report: Report) -> None:
    """The committed generated files are what each generator makes of its sources."""
    for script, what in GENERATORS:
        result = subprocess.run([sys.executable, script, "--check"], capture_output=True, text=True, timeout=120)
        if not report.check(result.returncode == 0, f"{script} --check: {what}"):
            report.show(result.stdout + result.stderr)


def run(report: Report) -> None:
    """Every static check, in a stable order."""
    services = check_compose(report)
    check_dockerfile(report)
    check_collector(report)
    check_prometheus_config(report)
    datasource_uids = check_grafana_provisioning(report, services)
    check_dashboards(report, datasource_uids)
    check_alert_copies(report, datasource_uids)
    check_generated_files(report)
