"""docker/prometheus.yml, docker/alert_rules.yml and the Grafana provisioning.

promtool (Debian `prometheus`) validates the Prometheus configuration and the rule file and
runs the alert rules' unit tests (tests/reference/promtool/alert_rules_test.yml). Grafana
cannot run here, so its provisioning is checked for what Grafana needs from it and for agreeing
with the other files: the data source URLs name compose services on their ports, the dashboard
folder is where compose mounts it, every panel uses a provisioned data source, and every
dashboard query is valid PromQL (promtool checks them as recording rules).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from .conftest import load_yaml, run_tool

DOCKER = Path("docker")
DASHBOARD_DIR = DOCKER / "grafana" / "dashboards"
PROVISIONING = DOCKER / "grafana" / "provisioning"

# The metric names on the API's /metrics (the agreed contract; app/core/metrics.py and
# prometheus-fastapi-instrumentator's defaults). `up` is Prometheus's own.
CONTRACT_METRICS = {
    "up",
    "http_requests_total",
    "http_request_duration_seconds_bucket",
    "http_request_duration_seconds_count",
    "http_request_duration_seconds_sum",
    "mami_log_records_shipped_total",
    "mami_log_records_dropped_total",
    "mami_llm_attempts_total",
    "mami_llm_chain_failures_total",
}
PROMQL_FUNCTIONS_AND_KEYWORDS = {
    "sum", "rate", "increase", "histogram_quantile", "by", "without", "on", "ignoring",
    "and", "or", "unless", "topk", "avg", "max", "min", "count", "le",
}


def test_prometheus_config_is_valid_and_loads_the_alert_rules(repo_root: Path) -> None:
    result = run_tool("promtool", "check", "config", DOCKER / "prometheus.yml")
    assert result.returncode == 0, result.output
    # promtool resolves rule_files beside the config and checks them too.
    assert "SUCCESS: 1 rule files found" in result.output
    config = load_yaml(repo_root / DOCKER / "prometheus.yml")
    assert config["rule_files"] == ["alert_rules.yml"]


def test_alert_rules_are_valid(repo_root: Path) -> None:
    result = run_tool("promtool", "check", "rules", DOCKER / "alert_rules.yml")
    assert result.returncode == 0, result.output
    alerts = {
        rule["alert"]
        for group in load_yaml(repo_root / DOCKER / "alert_rules.yml")["groups"]
        for rule in group["rules"]
    }
    assert {"MamiApiDown", "MamiApiHighErrorRate", "MamiApiSlowResponses", "MamiLogRecordsDropped"} <= alerts


def test_alert_rules_fire_when_they_should(repo_root: Path) -> None:
    result = run_tool("promtool", "test", "rules", Path(__file__).parent / "promtool" / "alert_rules_test.yml")
    assert result.returncode == 0, result.output
    assert "SUCCESS" in result.output


def test_promtool_rejects_a_broken_rule(tmp_path: Path) -> None:
    # Proves the checks above can fail.
    broken = tmp_path / "rules.yml"
    broken.write_text("groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: sum(rate(x[5m])\n")
    assert run_tool("promtool", "check", "rules", broken).returncode != 0


def test_prometheus_scrapes_the_api_service_on_its_port(repo_root: Path) -> None:
    compose = load_yaml(repo_root / "docker-compose.yml")
    config = load_yaml(repo_root / DOCKER / "prometheus.yml")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    api = jobs["mami-ai"]
    assert api.get("metrics_path", "/metrics") == "/metrics"  # R11.4
    targets = [target for group in api["static_configs"] for target in group["targets"]]
    assert targets == ["mami-ai:8000"]
    assert "mami-ai" in compose["services"]
    assert "8000:8000" in compose["services"]["mami-ai"]["ports"]
    assert "prometheus" in jobs


# --- Grafana ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def datasources(repo_root: Path) -> dict[str, dict[str, Any]]:
    document = load_yaml(repo_root / PROVISIONING / "datasources" / "datasources.yml")
    assert document["apiVersion"] == 1
    return {source["uid"]: source for source in document["datasources"]}


@pytest.fixture(scope="module")
def dashboards(repo_root: Path) -> dict[str, dict[str, Any]]:
    files = sorted((repo_root / DASHBOARD_DIR).glob("*.json"))
    assert files, "no dashboard JSON in docker/grafana/dashboards"
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in files}


def panels_of(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for panel in dashboard["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))  # collapsed rows keep their panels inside
    return [panel for panel in found if panel["type"] != "row"]


def test_datasources_point_at_the_compose_services(
    datasources: dict[str, dict[str, Any]], repo_root: Path
) -> None:
    compose = load_yaml(repo_root / "docker-compose.yml")
    by_type = {source["type"]: source for source in datasources.values()}
    assert set(by_type) == {"prometheus", "elasticsearch"}  # R12.3
    expected = {"prometheus": ("prometheus", 9090), "elasticsearch": ("elasticsearch", 9200)}
    for kind, (service, port) in expected.items():
        url = urlsplit(by_type[kind]["url"])
        assert (url.hostname, url.port) == (service, port), by_type[kind]["url"]
        assert service in compose["services"]
        assert by_type[kind]["access"] == "proxy"  # Grafana's server calls it, not the browser
    assert by_type["prometheus"]["isDefault"] is True
    assert sum(bool(source.get("isDefault")) for source in datasources.values()) == 1


def test_elasticsearch_datasource_reads_the_index_the_app_writes(
    datasources: dict[str, dict[str, Any]], repo_root: Path
) -> None:
    source = next(s for s in datasources.values() if s["type"] == "elasticsearch")
    example = (repo_root / ".env.example").read_text()
    index = re.search(r"(?m)^ELASTICSEARCH_INDEX=(.*)$", example)
    assert index, ".env.example does not document ELASTICSEARCH_INDEX"
    assert source["jsonData"]["index"] == index.group(1)
    assert source["jsonData"]["timeField"] == "@timestamp"


def test_dashboard_provider_reads_the_folder_compose_mounts(repo_root: Path) -> None:
    document = load_yaml(repo_root / PROVISIONING / "dashboards" / "dashboards.yml")
    assert document["apiVersion"] == 1
    (provider,) = document["providers"]
    assert provider["type"] == "file"
    compose = load_yaml(repo_root / "docker-compose.yml")
    # Short syntax "source:target[:mode]"; none of these paths holds a colon.
    mounts = dict(volume.split(":")[:2] for volume in compose["services"]["grafana"]["volumes"])
    assert mounts["./docker/grafana/dashboards"] == provider["options"]["path"]
    assert mounts["./docker/grafana/provisioning"] == "/etc/grafana/provisioning"  # R12.2


def test_every_panel_uses_a_provisioned_datasource(
    dashboards: dict[str, dict[str, Any]], datasources: dict[str, dict[str, Any]]
) -> None:
    for name, dashboard in dashboards.items():
        assert dashboard["uid"] and dashboard["title"], name
        ids = [panel["id"] for panel in dashboard["panels"]]
        assert len(ids) == len(set(ids)), f"{name}: duplicate panel ids"
        for panel in panels_of(dashboard):
            for reference in [panel["datasource"], *(t.get("datasource") for t in panel["targets"])]:
                if reference is None:
                    continue
                source = datasources.get(reference["uid"])
                assert source, f"{name}: panel {panel['title']!r} uses unknown datasource {reference}"
                assert source["type"] == reference["type"], panel["title"]


def test_dashboard_shows_requests_latency_errors_and_log_shipping(
    dashboards: dict[str, dict[str, Any]],
) -> None:
    expressions = " ".join(
        target.get("expr", "")
        for dashboard in dashboards.values()
        for panel in panels_of(dashboard)
        for target in panel["targets"]
    )
    for needed in (
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        'status="5xx"',
        "mami_log_records_shipped_total",
        "mami_log_records_dropped_total",
    ):
        assert needed in expressions, needed
    assert any(
        panel["type"] == "logs" and panel["datasource"]["type"] == "elasticsearch"
        for dashboard in dashboards.values()
        for panel in panels_of(dashboard)
    )


def dashboard_expressions(dashboards: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (f"{name}: {panel['title']} {target['refId']}", target["expr"])
        for name, dashboard in dashboards.items()
        for panel in panels_of(dashboard)
        for target in panel["targets"]
        if target.get("expr")
    ]


def test_dashboard_queries_are_valid_promql(
    dashboards: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    # Grafana's range variables become fixed durations; promtool then parses each query as
    # the expression of a recording rule.
    rules = []
    for index, (_, expr) in enumerate(dashboard_expressions(dashboards)):
        concrete = expr.replace("$__rate_interval", "1m").replace("$__range", "1h").replace("$__interval", "15s")
        rules.append({"record": f"dashboard:query_{index}", "expr": concrete})
    assert rules
    rule_file = tmp_path / "dashboard_queries.yml"
    rule_file.write_text(json.dumps({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = run_tool("promtool", "check", "rules", rule_file)
    assert result.returncode == 0, result.output


def test_dashboards_and_alerts_use_only_contract_metrics(
    dashboards: dict[str, dict[str, Any]], repo_root: Path
) -> None:
    alert_expressions = [
        rule["expr"]
        for group in load_yaml(repo_root / DOCKER / "alert_rules.yml")["groups"]
        for rule in group["rules"]
    ]
    texts = [expr for _, expr in dashboard_expressions(dashboards)] + alert_expressions
    for text in texts:
        without_strings = re.sub(r'"[^"]*"|\[[^\]]*\]', " ", text)
        without_labels = re.sub(r"\{[^}]*\}", " ", without_strings)
        without_groupings = re.sub(r"\b(by|without)\s*\([^)]*\)", " ", without_labels)
        names = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", without_groupings))
        metrics = {
            name
            for name in names - PROMQL_FUNCTIONS_AND_KEYWORDS
            if not re.fullmatch(r"\d.*|e\d+", name)
        }
        assert metrics <= CONTRACT_METRICS, (text, metrics - CONTRACT_METRICS)


def test_contract_metrics_are_the_ones_the_app_defines(repo_root: Path) -> None:
    # Read app/core/metrics.py without running it: every Counter("name", ...) there is exposed
    # as name_total, and the dashboards and alerts may use only those (plus the HTTP ones).
    source = repo_root / "app" / "core" / "metrics.py"
    assert source.exists(), "app/core/metrics.py (the backend's metrics) is missing"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    counters = {
        f"{call.args[0].value}_total"
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and getattr(call.func, "id", getattr(call.func, "attr", None)) == "Counter"
        and call.args
        and isinstance(call.args[0], ast.Constant)
    }
    assert counters == {name for name in CONTRACT_METRICS if name.startswith("mami_")}
