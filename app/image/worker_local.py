"""The image worker (NODE_MODE=WORKER, R15.2): `python -m app.image.worker_local` (R15.3).

It asks the API for work over HTTP (R15.4) with `Authorization: Bearer
<INTERNAL_UPLOAD_TOKEN>` (R15.5), renders every configured variant with Pillow and uploads them.
While the API is not reachable it waits with exponential backoff. SIGTERM or SIGINT let the
current job finish, then the worker exits 0. If the worker dies mid-job, the API hands the job
out again once its lease expires.
"""

from __future__ import annotations

import signal
import sys
import threading
import uuid
from typing import Any

import httpx
from app.config import Settings, get_settings, load_settings_or_report
from app.core.logger import configure_logging, get_logger, shutdown_logging
from app.image.processing import RenderedImage, VariantSpec, render_variant

logger = get_logger(__name__)


class ApiUnavailable(Exception):
    """The API cannot be reached or is not ready: wait and try again."""


class TokenRejected(Exception):
    """The API refused our token: retrying will not help."""


class LeaseLost(Exception):
    """The job was handed to another worker meanwhile (our lease expired)."""


class ApiRejected(Exception):
    """The API refused a request as wrong (4xx other than 401/409)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"API answered {status}: {detail}")
        self.status = status


# Per request to the API. A job in flight at SIGTERM needs up to two of them (download the
# original, upload the results): docker-compose.yml's stop_grace_period allows for that.
API_TIMEOUT_SECONDS = 30.0


class ApiClient:
    def __init__(self, base_url: str, token: str, timeout: float = API_TIMEOUT_SECONDS) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as error:
            raise ApiUnavailable(f"cannot reach the API: {error!r}") from None
        if response.status_code == 401:
            raise TokenRejected("the API rejected INTERNAL_UPLOAD_TOKEN (401)")
        if response.status_code == 409:
            raise LeaseLost(response.text[:300])
        if response.status_code >= 500:
            raise ApiUnavailable(f"API answered {response.status_code}: {response.text[:300]}")
        if response.status_code >= 400:
            raise ApiRejected(response.status_code, response.text[:300])
        return response

    def claim(self) -> dict[str, Any] | None:
        response = self._request("POST", "/internal/jobs/claim")
        if response.status_code == 204:
            return None
        return response.json()

    def original(self, job_id: str) -> bytes:
        return self._request("GET", f"/internal/jobs/{job_id}/original").content

    def upload_results(self, job_id: str, lease_id: str, images: list[RenderedImage]) -> None:
        files = [("files", (image.name, image.data, image.content_type)) for image in images]
        self._request(
            "POST", f"/internal/jobs/{job_id}/results", data={"lease_id": lease_id}, files=files
        )

    def report_failure(self, job_id: str, lease_id: str, error: str) -> None:
        self._request(
            "POST",
            f"/internal/jobs/{job_id}/failure",
            json={"lease_id": lease_id, "error": error[:1000]},
        )


class Worker:
    def __init__(self, settings: Settings, api: ApiClient, stop: threading.Event) -> None:
        self._settings = settings
        self._api = api
        self._stop = stop
        self.name = f"worker-{uuid.uuid4().hex[:8]}"

    def run(self) -> int:
        poll = self._settings.WORKER_POLL_SECONDS
        backoff = poll
        api_down = False
        logger.info("%s polling %s", self.name, self._settings.API_BASE_URL)
        while not self._stop.is_set():
            try:
                job = self._api.claim()
            except (ApiUnavailable, ApiRejected) as error:
                # ApiRejected here: API_BASE_URL points at something that is not our API yet.
                if not api_down:
                    logger.warning("API not ready (%s); retrying with backoff", error)
                    api_down = True
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self._settings.WORKER_MAX_BACKOFF_SECONDS)
                continue
            except TokenRejected as error:
                logger.critical("stopping: %s", error)
                return 1
            if api_down:
                logger.info("API reachable again")
                api_down = False
            backoff = poll
            if job is None:
                self._stop.wait(poll)
                continue
            try:
                self.process(job)
            except TokenRejected as error:
                logger.critical("stopping: %s", error)
                return 1
            except Exception:
                # A bug must not stop the worker; the job's lease expires and it is retried.
                logger.exception("unexpected error while processing image job %s", job.get("id"))
        logger.info("%s stopped on request", self.name)
        return 0

    def process(self, job: dict[str, Any]) -> None:
        """Render and upload one job; a failure here leaves the lease to expire or fails it."""
        job_id, lease_id = job["id"], job["lease_id"]
        try:
            original = self._api.original(job_id)
            specs = [
                VariantSpec(
                    name=variant["name"],
                    max_edge=int(variant["max_edge"]),
                    format=variant["format"],
                    quality=int(variant["quality"]),
                )
                for variant in job["variants"]
            ]
            try:
                rendered = [render_variant(original, spec) for spec in specs]
            except (OSError, ValueError) as error:
                # The image itself is broken: retrying would fail the same way.
                logger.warning("image job %s cannot be processed: %s", job_id, error)
                self._api.report_failure(job_id, lease_id, f"cannot process image: {error}")
                return
            self._api.upload_results(job_id, lease_id, rendered)
            logger.info("image job %s processed (%d variants)", job_id, len(rendered))
        except LeaseLost as error:
            logger.warning("image job %s was handed to another worker: %s", job_id, error)
        except ApiUnavailable as error:
            # The lease expires and the job is handed out again: nothing is lost.
            logger.warning("image job %s not finished, API unavailable: %s", job_id, error)
        except ApiRejected as error:
            logger.error("image job %s: the API refused our request: %s", job_id, error)
            if error.status != 404:
                self._report_failure_quietly(job_id, lease_id, str(error))

    def _report_failure_quietly(self, job_id: str, lease_id: str, message: str) -> None:
        try:
            self._api.report_failure(job_id, lease_id, message)
        except (ApiUnavailable, ApiRejected, LeaseLost) as error:
            logger.warning("could not mark image job %s failed: %s", job_id, error)


def run_worker(settings: Settings | None = None, stop: threading.Event | None = None) -> int:
    settings = settings or get_settings()
    configure_logging(settings)
    token = settings.get_internal_token()
    if token is None:
        logger.critical("INTERNAL_UPLOAD_TOKEN is not set; the worker cannot talk to the API")
        shutdown_logging(settings.LOG_SHIP_FLUSH_SECONDS)
        return 2
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            # Only set the event here: logging from a signal handler can deadlock.
            signal.signal(signum, lambda _signum, _frame: stop.set())
    api = ApiClient(settings.API_BASE_URL, token)
    try:
        return Worker(settings, api, stop).run()
    finally:
        api.close()
        shutdown_logging(settings.LOG_SHIP_FLUSH_SECONDS)


def main() -> int:
    settings = load_settings_or_report()
    if settings is None:
        return 2
    return run_worker(settings)


if __name__ == "__main__":
    sys.exit(main())
