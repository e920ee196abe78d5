"""Logging for the API and the worker (R20.1–R20.3, R10.4).

Every record is written to stdout as ECS JSON, so `docker logs` and any collector can read it.
When ELASTICSEARCH_URL is set, records are also shipped to Elasticsearch's `_bulk` API from a
background thread. The request path only puts a record on a bounded queue: a slow or dead
Elasticsearch can never block or fail a request. Records that cannot be delivered (queue full,
retries exhausted, rejected) are counted in `mami_log_records_dropped_total`.
"""

from __future__ import annotations

import logging
import logging.handlers
import queue
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import ecs_logging
import httpx

from app.core.metrics import LOG_RECORDS_DROPPED, LOG_RECORDS_SHIPPED

if TYPE_CHECKING:
    from app.config import Settings

# Marks the handlers this module installed, so reconfiguring replaces only ours.
_OWNED = "_mami_owned"
_configured = False
_configure_lock = threading.Lock()


def get_logger(name: str) -> logging.Logger:
    """The logger every module uses (R20.1).

    Before configure_logging() runs, records still reach stdout as JSON, unless the program
    that imported us (the alembic CLI, pytest) has set up logging its own way.
    """
    if not _configured:
        with _configure_lock:
            root = logging.getLogger()
            if not _configured and not root.handlers:
                _install(root, [_stdout_handler(ecs_logging.StdlibFormatter())])
    return logging.getLogger(name)


def configure_logging(settings: Settings) -> None:
    """Install stdout, optional file and optional Elasticsearch handlers on the root logger.

    Called once by each entry point (API lifespan, worker). Calling it again replaces the
    handlers it installed before (and flushes the old Elasticsearch queue).
    """
    global _configured
    with _configure_lock:
        root = logging.getLogger()
        formatter = ecs_logging.StdlibFormatter(
            extra={"service.name": settings.SERVICE_NAME},
            exclude_fields=["color_message"],  # uvicorn's ANSI-coloured copy of the message
        )
        handlers: list[logging.Handler] = [_stdout_handler(formatter)]
        if settings.LOG_FILE:
            Path(settings.LOG_FILE).parent.mkdir(parents=True, exist_ok=True)
            file_handler = logging.handlers.RotatingFileHandler(
                settings.LOG_FILE, maxBytes=10 * 1024 * 1024, backupCount=5, encoding="utf-8"
            )
            file_handler.setFormatter(formatter)
            handlers.append(file_handler)
        if settings.ELASTICSEARCH_URL:
            shipper = ElasticsearchHandler(
                url=settings.ELASTICSEARCH_URL,
                index=settings.ELASTICSEARCH_INDEX,
                queue_size=settings.LOG_SHIP_QUEUE_SIZE,
                batch_size=settings.LOG_SHIP_BATCH_SIZE,
                timeout=settings.LOG_SHIP_TIMEOUT_SECONDS,
                max_retries=settings.LOG_SHIP_MAX_RETRIES,
            )
            shipper.setFormatter(formatter)
            handlers.append(shipper)
        _install(root, handlers)
        root.setLevel(settings.LOG_LEVEL)
        # Alembic announces each of its plugins at INFO on every start.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
        # httpx logs every request at INFO: one line per worker poll (1,800 an hour), all
        # shipped to Elasticsearch. Still shown with LOG_LEVEL=DEBUG.
        if settings.LOG_LEVEL != "DEBUG":
            logging.getLogger("httpx").setLevel(logging.WARNING)
        _configured = True


def shutdown_logging(timeout: float = 5.0) -> None:
    """Flush the Elasticsearch queue (bounded by `timeout`) and close our handlers."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OWNED, False) and isinstance(handler, ElasticsearchHandler):
            root.removeHandler(handler)
            handler.close(timeout=timeout)


def _stdout_handler(formatter: logging.Formatter) -> logging.Handler:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    return handler


def _install(logger: logging.Logger, handlers: list[logging.Handler]) -> None:
    for old in [h for h in logger.handlers if getattr(h, _OWNED, False)]:
        logger.removeHandler(old)
        old.close()
    for handler in handlers:
        setattr(handler, _OWNED, True)
        logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)


class ElasticsearchHandler(logging.Handler):
    """Ships formatted records to `<url>/<index>/_bulk` from one background thread."""

    def __init__(
        self,
        url: str,
        index: str,
        queue_size: int = 10_000,
        batch_size: int = 500,
        timeout: float = 5.0,
        max_retries: int = 3,
        backoff_seconds: float = 0.5,
    ) -> None:
        super().__init__()
        self.bulk_url = f"{url.rstrip('/')}/{index}/_bulk"
        self._queue: queue.Queue[str] = queue.Queue(maxsize=queue_size)
        self._batch_size = batch_size
        self._timeout = timeout
        self._max_retries = max_retries
        self._backoff = backoff_seconds
        self._closing = threading.Event()
        self._flush_deadline = float("inf")
        self._failing = False  # true while Elasticsearch is unreachable, to warn once per outage
        self._diagnostics = logging.getLogger("app.core.logger.shipper")
        self._thread = threading.Thread(target=self._run, name="es-log-shipper", daemon=True)
        self._thread.start()

    # --- called on the logging thread (any request) -------------------------------------

    def emit(self, record: logging.LogRecord) -> None:
        # Records made while shipping (our own warnings, httpx's) must not feed back in.
        if threading.current_thread() is self._thread:
            return
        try:
            document = self.format(record)
        except Exception:  # a broken record must not break the caller
            self.handleError(record)
            return
        try:
            self._queue.put_nowait(document)
        except queue.Full:
            LOG_RECORDS_DROPPED.inc()

    def close(self, timeout: float = 5.0) -> None:
        """Stop accepting work, flush what is queued within `timeout`, drop the rest."""
        if not self._closing.is_set():
            self._flush_deadline = time.monotonic() + timeout
            self._closing.set()
            self._thread.join(timeout + self._timeout)
        super().close()

    # --- the shipper thread -------------------------------------------------------------

    def _run(self) -> None:
        with httpx.Client(timeout=self._timeout) as client:
            while True:
                batch = self._next_batch()
                if batch:
                    self._ship(client, batch)
                elif self._closing.is_set():
                    return
                if self._closing.is_set() and time.monotonic() > self._flush_deadline:
                    self._drop_remaining()
                    return

    def _next_batch(self) -> list[str]:
        try:
            first = self._queue.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        while len(batch) < self._batch_size:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _ship(self, client: httpx.Client, batch: list[str]) -> None:
        body = "".join('{"index":{}}\n' + document + "\n" for document in batch)
        for attempt in range(self._max_retries + 1):
            if attempt:
                delay = min(self._backoff * 2 ** (attempt - 1), 10.0)
                # During shutdown, retry only while the flush deadline allows.
                if self._closing.is_set() and time.monotonic() + delay > self._flush_deadline:
                    break
                if self._closing.is_set():
                    time.sleep(delay)
                else:
                    self._closing.wait(delay)  # a shutdown cuts the wait short
            try:
                response = client.post(
                    self.bulk_url,
                    content=body.encode("utf-8"),
                    headers={"Content-Type": "application/x-ndjson"},
                )
            except httpx.HTTPError as error:
                self._report_failure(f"cannot reach Elasticsearch: {error!r}")
                continue
            if response.status_code == 429 or response.status_code >= 500:
                self._report_failure(f"Elasticsearch answered {response.status_code}")
                continue
            if response.status_code >= 400:
                self._report_failure(
                    f"Elasticsearch rejected the batch ({response.status_code}): "
                    f"{response.text[:200]}"
                )
                break
            self._count_bulk_result(response, len(batch))
            return
        LOG_RECORDS_DROPPED.inc(len(batch))

    def _count_bulk_result(self, response: httpx.Response, sent: int) -> None:
        try:
            result = response.json()
            items = result.get("items", []) if result.get("errors") else []
        except (ValueError, AttributeError):
            items = []
        rejected = sum(
            1
            for item in items
            if isinstance(item, dict)
            and any(isinstance(op, dict) and op.get("status", 200) >= 300 for op in item.values())
        )
        if rejected:
            LOG_RECORDS_DROPPED.inc(rejected)
            self._diagnostics.warning("Elasticsearch rejected %d of %d log records", rejected, sent)
        LOG_RECORDS_SHIPPED.inc(sent - rejected)
        if self._failing:
            self._failing = False
            self._diagnostics.info("log shipping to Elasticsearch recovered")

    def _report_failure(self, message: str) -> None:
        if not self._failing:
            self._failing = True
            self._diagnostics.warning("log shipping degraded: %s; retrying with backoff", message)

    def _drop_remaining(self) -> None:
        dropped = 0
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
            dropped += 1
        if dropped:
            LOG_RECORDS_DROPPED.inc(dropped)
