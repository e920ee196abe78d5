"""docker-compose.yml gives the API and the worker as long to stop as they may take (review of
issue 3, item 4): Docker's default 10 s would SIGKILL them mid-shutdown and lose the last
log flush. The budgets are computed from the values the code uses."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from app.__main__ import GRACEFUL_SHUTDOWN_SECONDS
from app.config import Settings
from app.image.worker_local import API_TIMEOUT_SECONDS

COMPOSE_FILE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
# Time for the process to start shutting down, the event loop to close and the render of
# the worker's current image.
MARGIN_SECONDS = 5
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s)")
_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}


def seconds(duration: str) -> float:
    """A Compose duration such as `30s` or `1m15s`."""
    parts = _DURATION_PART.findall(duration)
    assert parts and "".join(n + u for n, u in parts) == duration, f"bad duration {duration!r}"
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def services() -> dict[str, Any]:
    return YAML(typ="safe").load(COMPOSE_FILE.read_text())["services"]


def flush_seconds() -> float:
    return Settings(_env_file=None).LOG_SHIP_FLUSH_SECONDS


@pytest.mark.parametrize(
    ("service", "budget"),
    [
        # uvicorn lets in-flight requests finish, then the log queue is flushed.
        ("mami-ai", GRACEFUL_SHUTDOWN_SECONDS + flush_seconds()),
        # The worker finishes its current job: download and upload, each up to the API
        # timeout, then the log flush.
        ("mami-worker", 2 * API_TIMEOUT_SECONDS + flush_seconds()),
    ],
)
def test_stop_grace_period_covers_the_shutdown_budget(service: str, budget: float) -> None:
    grace = services()[service].get("stop_grace_period")
    assert grace is not None, f"{service} has no stop_grace_period: Docker kills it after 10 s"
    assert seconds(str(grace)) >= budget + MARGIN_SECONDS
