"""Image jobs over HTTP: the UI's endpoints and the worker's token-protected ones (R15.4, R15.5)."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from app.image import jobs
from app.image.processing import VariantSpec, render_variant

TOKEN = "worker-secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(client: Any, data: bytes, content_type: str = "image/png", name: str = "cat.png") -> Any:
    return client.post("/api/images", files={"file": (name, data, content_type)})


def rendered_results(
    job: dict[str, Any], original: bytes
) -> list[tuple[str, tuple[str, bytes, str]]]:
    files = []
    for variant in job["variants"]:
        image = render_variant(original, VariantSpec(**variant))
        files.append(("files", (image.name, image.data, image.content_type)))
    return files


@pytest.fixture
def client(api_client: Callable[..., Any]) -> Any:
    return api_client(INTERNAL_UPLOAD_TOKEN=TOKEN)


# --- the UI's endpoints ------------------------------------------------------------------


def test_upload_creates_a_pending_job(client: Any) -> None:
    response = upload(client, image_bytes(), name="../../etc/cat.png")
    assert response.status_code == 201
    job = response.json()
    assert set(job) == {
        "id",
        "filename",
        "content_type",
        "status",
        "created_at",
        "updated_at",
        "error",
        "results",
    }
    assert job["status"] == "pending"
    assert job["filename"] == "cat.png"  # no directories from the client
    assert job["content_type"] == "image/png"
    assert job["results"] == [] and job["error"] is None
    assert job["created_at"].endswith("Z")
    assert client.get(f"/api/images/{job['id']}").json() == job


@pytest.mark.parametrize("fmt, content_type", [("JPEG", "image/jpeg"), ("WEBP", "image/webp")])
def test_jpeg_and_webp_are_accepted(client: Any, fmt: str, content_type: str) -> None:
    assert upload(client, image_bytes(fmt), content_type).status_code == 201


def test_jobs_are_listed_newest_first(client: Any) -> None:
    ids = []
    for _ in range(3):
        ids.append(upload(client, image_bytes()).json()["id"])
        time.sleep(0.002)
    assert [job["id"] for job in client.get("/api/images").json()] == ids[::-1]


@pytest.mark.parametrize(
    "data, content_type, message",
    [
        (b"hello", "text/plain", "is not accepted"),
        (b"not an image at all", "image/png", "not a readable image"),
        (image_bytes("JPEG"), "image/png", "sent as image/png but is image/jpeg"),
        (image_bytes("GIF"), "image/gif", "is not accepted"),
    ],
)
def test_wrong_types_are_415(client: Any, data: bytes, content_type: str, message: str) -> None:
    response = upload(client, data, content_type)
    assert response.status_code == 415
    assert message in response.json()["detail"]
    assert client.get("/api/images").json() == []


def test_a_file_over_the_limit_is_413(api_client: Callable[..., Any]) -> None:
    client = api_client(MAX_UPLOAD_BYTES=2000)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (40, 40), os.urandom(40 * 40 * 3)).save(buffer, format="PNG")
    data = buffer.getvalue()  # noise does not compress: about 4.8 kB
    assert len(data) > 2000
    small_enough = api_client(MAX_UPLOAD_BYTES=len(data))
    assert upload(small_enough, data).status_code == 201

    response = upload(client, data)
    assert response.status_code == 413
    assert "2000 bytes" in response.json()["detail"]
    # Far beyond the limit: refused from Content-Length before the body is read.
    huge = upload(client, b"\0" * (2000 + 200 * 1024))
    assert huge.status_code == 413
    # Both apps share the test's database: only the accepted upload made a job.
    assert len(client.get("/api/images").json()) == 1


def test_unknown_job_and_result_are_404(client: Any) -> None:
    assert client.get("/api/images/nope").status_code == 404
    job = upload(client, image_bytes()).json()
    assert client.get(f"/api/images/{job['id']}/results/thumbnail").status_code == 404


def test_an_upload_without_file_is_422(client: Any) -> None:
    assert client.post("/api/images", data={"x": "y"}).status_code == 422


# --- the worker's endpoints --------------------------------------------------------------


def test_internal_endpoints_are_closed_without_a_configured_token(
    api_client: Callable[..., Any],
) -> None:
    response = api_client(INTERNAL_UPLOAD_TOKEN=None).post("/internal/jobs/claim", headers=AUTH)
    assert response.status_code == 503
    assert "INTERNAL_UPLOAD_TOKEN" in response.json()["detail"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": TOKEN},
        {"Authorization": "Basic " + TOKEN},
    ],
)
def test_a_missing_or_wrong_token_is_401(client: Any, headers: dict[str, str]) -> None:
    response = client.post("/internal/jobs/claim", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_job_is_leased_to_one_claimant_only(client: Any) -> None:
    assert client.post("/internal/jobs/claim", headers=AUTH).status_code == 204  # nothing yet
    older = upload(client, image_bytes()).json()["id"]
    newer = upload(client, image_bytes()).json()["id"]

    first = client.post("/internal/jobs/claim", headers=AUTH)
    second = client.post("/internal/jobs/claim", headers=AUTH)
    assert (first.json()["id"], second.json()["id"]) == (older, newer)  # oldest first
    assert client.post("/internal/jobs/claim", headers=AUTH).status_code == 204
    assert client.get(f"/api/images/{older}").json()["status"] == "processing"


def test_results_are_stored_for_the_lease_holder_only(client: Any) -> None:
    original = image_bytes(size=(2000, 1000))
    job_id = upload(client, original).json()["id"]
    claimed = client.post("/internal/jobs/claim", headers=AUTH).json()
    assert claimed["id"] == job_id
    assert {v["name"] for v in claimed["variants"]} == {"thumbnail", "large"}
    fetched = client.get(f"/internal/jobs/{job_id}/original", headers=AUTH)
    assert fetched.content == original
    files = rendered_results(claimed, original)

    # A wrong token stores nothing.
    refused = client.post(
        f"/internal/jobs/{job_id}/results",
        data={"lease_id": claimed["lease_id"]},
        files=files,
        headers={"Authorization": "Bearer wrong"},
    )
    assert refused.status_code == 401
    assert client.get(f"/api/images/{job_id}").json()["status"] == "processing"
    assert client.get(f"/api/images/{job_id}/results/thumbnail").status_code == 404

    # A stranger's lease id stores nothing either.
    stranger = client.post(
        f"/internal/jobs/{job_id}/results", data={"lease_id": "0" * 32}, files=files, headers=AUTH
    )
    assert stranger.status_code == 409

    done = client.post(
        f"/internal/jobs/{job_id}/results",
        data={"lease_id": claimed["lease_id"]},
        files=files,
        headers=AUTH,
    )
    assert done.status_code == 200, done.text
    job = client.get(f"/api/images/{job_id}").json()
    assert job["status"] == "done"
    results = {r["name"]: r for r in job["results"]}
    assert results["thumbnail"] == {
        "name": "thumbnail",
        "width": 256,
        "height": 128,
        "content_type": "image/webp",
        "url": f"/api/images/{job_id}/results/thumbnail",
    }
    assert (results["large"]["width"], results["large"]["height"]) == (1280, 640)
    image = client.get(results["thumbnail"]["url"])
    assert image.headers["content-type"] == "image/webp"
    assert Image.open(io.BytesIO(image.content)).size == (256, 128)

    # The lease ended with the upload: repeating it is refused.
    again = client.post(
        f"/internal/jobs/{job_id}/results",
        data={"lease_id": claimed["lease_id"]},
        files=files,
        headers=AUTH,
    )
    assert again.status_code == 409


def test_results_must_name_each_variant_once(client: Any) -> None:
    original = image_bytes()
    upload(client, original)
    claimed = client.post("/internal/jobs/claim", headers=AUTH).json()
    files = rendered_results(claimed, original)
    for broken in (
        files[:1],
        files + files[:1],
        [("files", ("poster", files[0][1][1], "image/webp"))],
    ):
        response = client.post(
            f"/internal/jobs/{claimed['id']}/results",
            data={"lease_id": claimed["lease_id"]},
            files=broken,
            headers=AUTH,
        )
        assert response.status_code == 422
    not_an_image = [("files", (name, b"junk", "image/webp")) for name in ("thumbnail", "large")]
    response = client.post(
        f"/internal/jobs/{claimed['id']}/results",
        data={"lease_id": claimed["lease_id"]},
        files=not_an_image,
        headers=AUTH,
    )
    assert response.status_code == 415
    assert client.get(f"/api/images/{claimed['id']}").json()["results"] == []


class LeaseClock:
    """Stands in for the job store's clock, so lease expiry does not race a busy machine."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def lease_clock(monkeypatch: pytest.MonkeyPatch) -> LeaseClock:
    clock = LeaseClock()
    monkeypatch.setattr(jobs, "utcnow", clock)
    return clock


def test_an_expired_lease_hands_the_job_out_again(
    api_client: Callable[..., Any], lease_clock: LeaseClock
) -> None:
    client = api_client(INTERNAL_UPLOAD_TOKEN=TOKEN, IMAGE_JOB_LEASE_SECONDS=30)
    original = image_bytes()
    job_id = upload(client, original).json()["id"]
    first = client.post("/internal/jobs/claim", headers=AUTH).json()
    lease_clock.advance(29)
    assert client.post("/internal/jobs/claim", headers=AUTH).status_code == 204  # still leased
    lease_clock.advance(2)
    second = client.post("/internal/jobs/claim", headers=AUTH).json()
    assert second["id"] == job_id and second["lease_id"] != first["lease_id"]

    late = client.post(
        f"/internal/jobs/{job_id}/results",
        data={"lease_id": first["lease_id"]},
        files=rendered_results(first, original),
        headers=AUTH,
    )
    assert late.status_code == 409  # the first worker lost the job
    done = client.post(
        f"/internal/jobs/{job_id}/results",
        data={"lease_id": second["lease_id"]},
        files=rendered_results(second, original),
        headers=AUTH,
    )
    assert done.status_code == 200


def test_a_job_no_worker_finishes_fails_after_the_attempt_limit(
    api_client: Callable[..., Any], lease_clock: LeaseClock
) -> None:
    client = api_client(
        INTERNAL_UPLOAD_TOKEN=TOKEN, IMAGE_JOB_LEASE_SECONDS=30, IMAGE_JOB_MAX_ATTEMPTS=2
    )
    job_id = upload(client, image_bytes()).json()["id"]
    for _ in range(2):
        assert client.post("/internal/jobs/claim", headers=AUTH).json()["id"] == job_id
        lease_clock.advance(31)
    assert client.post("/internal/jobs/claim", headers=AUTH).status_code == 204
    job = client.get(f"/api/images/{job_id}").json()
    assert job["status"] == "failed"
    assert "2 attempts" in job["error"]


def test_a_worker_can_report_a_failure(client: Any) -> None:
    upload(client, image_bytes())
    claimed = client.post("/internal/jobs/claim", headers=AUTH).json()
    response = client.post(
        f"/internal/jobs/{claimed['id']}/failure",
        json={"lease_id": claimed["lease_id"], "error": "cannot decode"},
        headers=AUTH,
    )
    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    assert response.json()["error"] == "cannot decode"
