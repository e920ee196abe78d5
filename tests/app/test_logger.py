"""Logging: JSON on stdout (R20.2) and shipping to Elasticsearch's _bulk API (R20.3, R10.4)."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from backend_testkit import RecordedRequest, Reply, wait_until

from app.core.logger import ElasticsearchHandler, configure_logging, get_logger, shutdown_logging
from app.core.metrics import build_registry


def counter(name: str) -> float:
    value = build_registry().get_sample_value(name)
    return value or 0.0


def shipped() -> float:
    return counter("mami_log_records_shipped_total")


def dropped() -> float:
    return counter("mami_log_records_dropped_total")


def bulk_documents(requests: list[RecordedRequest]) -> list[dict[str, Any]]:
    documents = []
    for request in requests:
        lines = request.body.decode().splitlines()
        actions, sources = lines[0::2], lines[1::2]
        assert all(json.loads(action) == {"index": {}} for action in actions)
        documents.extend(json.loads(source) for source in sources)
    return documents


def accept_all(request: RecordedRequest) -> Reply:
    lines = request.body.decode().splitlines()
    items = [{"index": {"status": 201}} for _ in lines[0::2]]
    return Reply(200, {"took": 1, "errors": False, "items": items})


@pytest.fixture
def isolated_logger() -> Iterator[Callable[[logging.Handler], logging.Logger]]:
    """A logger of its own, so the test's handler sees only the test's records."""
    loggers: list[tuple[logging.Logger, logging.Handler]] = []

    def make(handler: logging.Handler) -> logging.Logger:
        logger = logging.getLogger(f"test.shipper.{uuid.uuid4().hex}")
        logger.propagate = False
        logger.setLevel(logging.INFO)
        handler.setFormatter(__import__("ecs_logging").StdlibFormatter())
        logger.addHandler(handler)
        loggers.append((logger, handler))
        return logger

    yield make
    for logger, handler in loggers:
        logger.removeHandler(handler)
        handler.close(timeout=0.5)  # type: ignore[call-arg]


def test_records_arrive_at_the_bulk_api(
    peer_server: Callable[..., Any], isolated_logger: Callable[..., logging.Logger]
) -> None:
    server = peer_server(accept_all)
    handler = ElasticsearchHandler(server.url, "mami-logs")
    logger = isolated_logger(handler)
    before = shipped()

    logger.info("first record")
    logger.warning("second record with %s", "arguments")
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("third record")
    handler.close(timeout=5)

    assert all(r.path == "/mami-logs/_bulk" and r.method == "POST" for r in server.requests)
    assert server.requests[0].headers["content-type"] == "application/x-ndjson"
    documents = bulk_documents(server.requests)
    assert [d["message"] for d in documents] == [
        "first record",
        "second record with arguments",
        "third record",
    ]
    assert documents[1]["log.level"] == "warning"
    assert documents[2]["error"]["type"] == "ValueError"
    assert "@timestamp" in documents[0]
    assert shipped() == before + 3


def test_items_rejected_by_elasticsearch_are_counted_as_dropped(
    peer_server: Callable[..., Any], isolated_logger: Callable[..., logging.Logger]
) -> None:
    def reject_second(request: RecordedRequest) -> Reply:
        items = [{"index": {"status": 201}}, {"index": {"status": 400, "error": {"type": "x"}}}]
        return Reply(200, {"took": 1, "errors": True, "items": items})

    server = peer_server(reject_second)
    handler = ElasticsearchHandler(server.url, "mami-logs", batch_size=2)
    logger = isolated_logger(handler)
    before_shipped, before_dropped = shipped(), dropped()
    logger.info("kept")
    logger.info("rejected")
    handler.close(timeout=5)
    total = len(bulk_documents(server.requests))
    assert total == 2
    # One batch of two -> one shipped and one dropped; two batches of one -> one of each too.
    assert shipped() - before_shipped + dropped() - before_dropped == 2
    assert dropped() - before_dropped >= 1


def test_a_slow_elasticsearch_never_blocks_the_caller(
    peer_server: Callable[..., Any], isolated_logger: Callable[..., logging.Logger]
) -> None:
    release = threading.Event()

    def stuck(request: RecordedRequest) -> Reply:
        release.wait(30)  # Elasticsearch hangs until the test lets it answer
        return accept_all(request)

    server = peer_server(stuck)
    handler = ElasticsearchHandler(server.url, "mami-logs", queue_size=5, timeout=30)
    logger = isolated_logger(handler)
    before_dropped = dropped()

    logger.info("this one is in flight")
    wait_until(lambda: len(server.requests) == 1, 10, "the shipper's first request")
    # The shipper is stuck in that request: these calls must return at once, and what does
    # not fit into the queue of 5 is dropped and counted rather than waited for.
    for number in range(20):
        logger.info("record %d", number)
    assert dropped() - before_dropped == 15

    release.set()
    handler.close(timeout=5)
    assert len(bulk_documents(server.requests)) == 1 + 5


def test_a_dead_elasticsearch_neither_raises_nor_loses_count(
    dead_url: str, isolated_logger: Callable[..., logging.Logger]
) -> None:
    handler = ElasticsearchHandler(dead_url, "mami-logs", max_retries=2, backoff_seconds=0.01)
    logger = isolated_logger(handler)
    before = dropped()
    for number in range(10):
        logger.error("record %d", number)  # must not raise
    wait_until(lambda: dropped() - before == 10, 10, "the records to be given up on")
    handler.close(timeout=1)
    assert dropped() - before == 10


def test_server_errors_are_retried_with_backoff(
    peer_server: Callable[..., Any], isolated_logger: Callable[..., logging.Logger]
) -> None:
    answers = iter([Reply(503, {"error": "unavailable"}), Reply(429, "too many requests")])

    def flaky(request: RecordedRequest) -> Reply:
        return next(answers, None) or accept_all(request)

    server = peer_server(flaky)
    handler = ElasticsearchHandler(server.url, "mami-logs", backoff_seconds=0.01)
    logger = isolated_logger(handler)
    before = shipped()
    logger.info("eventually delivered")
    handler.close(timeout=5)
    assert len(server.requests) == 3
    assert shipped() == before + 1


def test_the_api_ships_its_own_logs_and_flushes_on_shutdown(
    peer_server: Callable[..., Any], api_client: Callable[..., Any]
) -> None:
    def elasticsearch(request: RecordedRequest) -> Reply:
        if request.path.endswith("/_bulk"):
            return accept_all(request)
        return Reply(200, {"status": "green"}, headers={"X-Elastic-Product": "Elasticsearch"})

    server = peer_server(elasticsearch)
    client = api_client(ELASTICSEARCH_URL=server.url, ELASTICSEARCH_INDEX="mami-test")
    client.get("/health")
    client.__exit__(None, None, None)  # lifespan shutdown flushes the queue

    documents = bulk_documents([r for r in server.requests if r.path == "/mami-test/_bulk"])
    messages = [d["message"] for d in documents]
    assert any(m.startswith("starting Mami AI API") for m in messages)
    assert "Mami AI API stopped" in messages
    assert all(d["service"]["name"] == "mami-ai" for d in documents)


def test_records_go_to_stdout_as_ecs_json(
    make_settings: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(make_settings(SERVICE_NAME="mami-test"))
    try:
        get_logger("app.test").info("hello %s", "stdout")
    finally:
        shutdown_logging(0.1)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    record = next(line for line in lines if line["message"] == "hello stdout")
    assert record["log.level"] == "info"
    assert record["log"]["logger"] == "app.test"
    assert record["service"]["name"] == "mami-test"
    assert record["ecs.version"]


def test_log_file_is_written_when_configured(
    make_settings: Callable[..., Any], tmp_path: Any
) -> None:
    log_file = tmp_path / "logs" / "app.jsonl"
    configure_logging(make_settings(LOG_FILE=str(log_file)))
    try:
        get_logger("app.test").warning("to the file")
    finally:
        configure_logging(make_settings())  # back to stdout only; closes the file
    records = [json.loads(line) for line in log_file.read_text().splitlines()]
    assert any(r["message"] == "to the file" for r in records)
