"""/health (R4.1, R17.5), CORS (R19.1, R19.3) and /metrics (R11.4, R20.5)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from backend_testkit import RecordedRequest, Reply


def test_health_reports_the_database_up(api_client: Callable[..., Any]) -> None:
    response = api_client().get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "components": {"database": {"status": "up", "detail": None, "required": True}},
    }


def test_health_checks_a_real_redis(api_client: Callable[..., Any], redis_server: Any) -> None:
    response = api_client(REDIS_URL=redis_server.url()).get("/health")
    assert response.status_code == 200
    assert response.json()["components"]["redis"] == {
        "status": "up",
        "detail": None,
        "required": True,
    }


def test_health_is_503_when_redis_goes_down(
    api_client: Callable[..., Any], stopped_redis: Callable[[], Any]
) -> None:
    redis = stopped_redis()
    client = api_client(REDIS_HOST="127.0.0.1", REDIS_PORT=redis.port)
    assert client.get("/health").status_code == 200

    redis.process.terminate()
    redis.process.wait(10)

    response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["components"]["redis"]["status"] == "down"
    assert body["components"]["redis"]["detail"]
    assert body["components"]["database"]["status"] == "up"


def elasticsearch_cluster_health(status: str) -> Callable[[RecordedRequest], Reply]:
    def respond(request: RecordedRequest) -> Reply:
        if request.path.endswith("/_bulk"):  # the app's log shipper
            return Reply(200, {"errors": False, "items": []})
        assert request.path.startswith("/_cluster/health"), request.path
        return Reply(
            200,
            {"cluster_name": "docker-cluster", "status": status, "number_of_nodes": 1},
            headers={"X-Elastic-Product": "Elasticsearch"},
        )

    return respond


def test_elasticsearch_is_reported_but_not_required(
    api_client: Callable[..., Any], peer_server: Callable[..., Any], dead_url: str
) -> None:
    server = peer_server(elasticsearch_cluster_health("yellow"))
    up = api_client(ELASTICSEARCH_URL=server.url, LOG_SHIP_FLUSH_SECONDS=0.2).get("/health")
    assert up.status_code == 200
    assert up.json()["components"]["elasticsearch"] == {
        "status": "up",
        "detail": "cluster status yellow",
        "required": False,
    }

    down = api_client(ELASTICSEARCH_URL=dead_url, LOG_SHIP_FLUSH_SECONDS=0.2).get("/health")
    assert down.status_code == 200  # logs degrade; the API keeps serving
    assert down.json()["status"] == "ok"
    assert down.json()["components"]["elasticsearch"]["status"] == "down"


def test_a_red_elasticsearch_cluster_is_down(
    api_client: Callable[..., Any], peer_server: Callable[..., Any]
) -> None:
    server = peer_server(elasticsearch_cluster_health("red"))
    component = api_client(ELASTICSEARCH_URL=server.url).get("/health").json()["components"]
    assert component["elasticsearch"]["status"] == "down"


def test_health_is_503_when_the_database_is_gone(
    api_client: Callable[..., Any], tmp_path: Any
) -> None:
    client = api_client()
    # Make the database file unopenable: a directory where the file should be.
    from app.core.database import dispose_engines

    dispose_engines()
    db_file = tmp_path / "data" / "app.db"
    db_file.unlink()
    db_file.mkdir()
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["components"]["database"]["status"] == "down"


# --- CORS ------------------------------------------------------------------------------------


def preflight(client: Any, origin: str) -> Any:
    return client.options(
        "/api/chat",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )


def test_preflight_from_the_frontend_gets_cors_headers(api_client: Callable[..., Any]) -> None:
    client = api_client(CORS_ORIGINS="http://localhost:5173, https://mami.example")
    response = preflight(client, "http://localhost:5173")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in response.headers

    simple = client.get("/health", headers={"Origin": "https://mami.example"})
    assert simple.headers["access-control-allow-origin"] == "https://mami.example"


def test_a_trailing_slash_in_cors_origins_still_matches_the_browser_origin(
    api_client: Callable[..., Any],
) -> None:
    # Browsers send Origin without a path; "https://mami.example.com/" is a common typo.
    client = api_client(CORS_ORIGINS="http://localhost:5173/, https://mami.example.com/")
    response = preflight(client, "http://localhost:5173")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"


def test_an_unlisted_origin_gets_no_cors_headers(api_client: Callable[..., Any]) -> None:
    client = api_client(CORS_ORIGINS="http://localhost:5173")
    response = preflight(client, "http://evil.example")
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    simple = client.get("/health", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_credentials_are_allowed_only_for_listed_origins(api_client: Callable[..., Any]) -> None:
    client = api_client(CORS_ORIGINS="http://localhost:5173", CORS_ALLOW_CREDENTIALS=True)
    response = preflight(client, "http://localhost:5173")
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert response.headers["access-control-allow-credentials"] == "true"


# --- /metrics --------------------------------------------------------------------------------


def metric_value(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        series, _, value = line.rpartition(" ")
        if series.split("{")[0] != name:
            continue
        if all(f'{key}="{val}"' in series for key, val in labels.items()):
            return float(value)
    return 0.0


def test_metrics_count_requests_and_expose_the_agreed_names(
    api_client: Callable[..., Any],
) -> None:
    client = api_client()
    before = metric_value(
        client.get("/metrics").text,
        "http_requests_total",
        handler="/health",
        method="GET",
        status="2xx",
    )
    client.get("/health")
    client.get("/health")
    client.get("/api/images/does-not-exist")
    text = client.get("/metrics").text

    assert (
        metric_value(text, "http_requests_total", handler="/health", method="GET", status="2xx")
        == before + 2
    )
    assert (
        metric_value(
            text, "http_requests_total", handler="/api/images/{job_id}", method="GET", status="4xx"
        )
        >= 1
    )
    assert (
        metric_value(text, "http_request_duration_seconds_count", handler="/health", method="GET")
        >= 2
    )
    for name in (
        "mami_log_records_shipped_total",
        "mami_log_records_dropped_total",
        "mami_llm_chain_failures_total",
    ):
        assert any(line.startswith(name + " ") for line in text.splitlines()), name
    assert "# TYPE mami_llm_attempts_total counter" in text


@pytest.mark.parametrize("path", ["/openapi.json"])
def test_internal_endpoints_are_not_in_the_public_schema(
    api_client: Callable[..., Any], path: str
) -> None:
    paths = api_client().get(path).json()["paths"]
    assert "/api/chat" in paths and "/api/images" in paths
    assert not any(p.startswith("/internal") for p in paths)


def test_metrics_pass_promtool_lint(api_client: Callable[..., Any]) -> None:
    """Prometheus' own linter accepts the exposition (names, help texts, types)."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is not installed (Debian/Ubuntu: apt-get install prometheus)")
    client = api_client()
    client.get("/health")
    client.post("/api/chat", json={"message": ""})  # a 4xx series too
    result = subprocess.run(
        [promtool, "check", "metrics"],
        input=client.get("/metrics").text,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
