"""Endpoints for the image worker only (R15.4, R15.5), behind the INTERNAL_UPLOAD_TOKEN.

Protocol: POST /internal/jobs/claim leases the oldest waiting job (204 when none); the worker
downloads GET /internal/jobs/{id}/original, renders each variant, and sends them all in one
POST /internal/jobs/{id}/results with its lease_id — or POST /internal/jobs/{id}/failure.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Response, UploadFile, status
from pydantic import BaseModel, Field

from app.api.deps import SessionDep, SettingsDep, require_internal_token
from app.api.images import read_limited
from app.api.schemas import JobOut, iso_utc, job_out
from app.core.logger import get_logger
from app.image import jobs
from app.image.formats import UnsupportedImage, inspect_image

router = APIRouter(
    prefix="/internal",
    tags=["internal"],
    dependencies=[Depends(require_internal_token)],
    include_in_schema=False,
)
logger = get_logger(__name__)


class VariantOut(BaseModel):
    name: str
    max_edge: int
    format: str
    quality: int


class ClaimedJob(BaseModel):
    id: str
    filename: str
    content_type: str
    lease_id: str
    lease_expires_at: str
    variants: list[VariantOut]


class FailureIn(BaseModel):
    lease_id: str = Field(min_length=1, max_length=32)
    error: str = Field(min_length=1, max_length=1000)


@router.post(
    "/jobs/claim", response_model=ClaimedJob, responses={204: {"description": "No job waiting"}}
)
def claim(settings: SettingsDep, session: SessionDep) -> ClaimedJob | Response:
    job = jobs.claim_next_job(
        session, settings.IMAGE_JOB_LEASE_SECONDS, settings.IMAGE_JOB_MAX_ATTEMPTS
    )
    if job is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    assert job.lease_id is not None and job.lease_expires_at is not None
    logger.info("image job %s leased (attempt %d)", job.id, job.attempts)
    return ClaimedJob(
        id=job.id,
        filename=job.filename,
        content_type=job.content_type,
        lease_id=job.lease_id,
        lease_expires_at=iso_utc(job.lease_expires_at),
        variants=[
            VariantOut.model_validate(v, from_attributes=True) for v in jobs.variants(session)
        ],
    )


@router.get("/jobs/{job_id}/original", response_class=Response)
def original(job_id: str, session: SessionDep) -> Response:
    try:
        job = jobs.get_job(session, job_id)
        data = jobs.get_original(session, job_id)
    except jobs.JobNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such job") from None
    return Response(content=data, media_type=job.content_type)


@router.post("/jobs/{job_id}/results", response_model=JobOut)
def upload_results(
    job_id: str,
    lease_id: Annotated[str, Form(min_length=1, max_length=32)],
    files: list[UploadFile],
    settings: SettingsDep,
    session: SessionDep,
) -> JobOut:
    """Every variant at once; the filename of each part is the variant's name."""
    expected = {variant.name for variant in jobs.variants(session)}
    received: list[jobs.NewResult] = []
    for upload in files:
        name = upload.filename or ""
        if name not in expected:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_ENTITY,
                f"unknown variant {name!r}; expected {sorted(expected)}",
            )
        data = read_limited(upload, settings.MAX_UPLOAD_BYTES)
        try:
            info = inspect_image(data)
        except UnsupportedImage as error:
            raise HTTPException(
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, f"{name}: {error}"
            ) from None
        received.append(jobs.NewResult(name, info.width, info.height, info.content_type, data))
    if {result.name for result in received} != expected or len(received) != len(expected):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            f"send each variant exactly once: {sorted(expected)}",
        )
    try:
        job = jobs.complete_job(session, job_id, lease_id, received)
    except jobs.JobNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such job") from None
    except jobs.LeaseLost as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    logger.info("image job %s done (%d results)", job_id, len(received))
    return job_out(job, jobs.results_of(session, [job_id])[job_id])


@router.post("/jobs/{job_id}/failure", response_model=JobOut)
def report_failure(job_id: str, body: FailureIn, session: SessionDep) -> JobOut:
    try:
        job = jobs.fail_job(session, job_id, body.lease_id, body.error)
    except jobs.JobNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such job") from None
    except jobs.LeaseLost as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    logger.warning("image job %s failed: %s", job_id, body.error)
    return job_out(job, [])
