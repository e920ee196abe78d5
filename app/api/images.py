"""Image jobs for the UI: upload an image, list jobs, fetch a processed result."""

from __future__ import annotations

from pathlib import PurePath

from fastapi import APIRouter, HTTPException, Response, UploadFile, status

from app.api.deps import SessionDep, SettingsDep
from app.api.schemas import JobOut, job_out
from app.core.logger import get_logger
from app.image import jobs
from app.image.formats import ACCEPTED_TYPES, UnsupportedImage, inspect_image

router = APIRouter(prefix="/api/images", tags=["images"])
logger = get_logger(__name__)


def read_limited(upload: UploadFile, max_bytes: int) -> bytes:
    """The upload's bytes, or 413 as soon as it is larger than max_bytes."""
    data = upload.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise HTTPException(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            f"file is larger than {max_bytes} bytes",
        )
    return data


def check_image(data: bytes, declared_type: str | None) -> str:
    """The image's real content type, or 415 when it is not an accepted image."""
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared not in ACCEPTED_TYPES:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"content type {declared or 'missing'!r} is not accepted; send one of "
            f"{', '.join(ACCEPTED_TYPES)}",
        )
    try:
        info = inspect_image(data)
    except UnsupportedImage as error:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, str(error)) from None
    if info.content_type != declared:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"file was sent as {declared} but is {info.content_type}",
        )
    return info.content_type


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=JobOut,
    responses={
        413: {"description": "File too large"},
        415: {"description": "Not an accepted image"},
    },
)
def upload_image(file: UploadFile, settings: SettingsDep, session: SessionDep) -> JobOut:
    data = read_limited(file, settings.MAX_UPLOAD_BYTES)
    content_type = check_image(data, file.content_type)
    filename = PurePath((file.filename or "upload").replace("\\", "/")).name or "upload"
    job = jobs.create_job(session, filename, content_type, data)
    logger.info("image job %s created for %s (%d bytes)", job.id, filename, len(data))
    return job_out(job, [])


@router.get("", response_model=list[JobOut])
def list_jobs(session: SessionDep) -> list[JobOut]:
    found = jobs.list_jobs(session)
    results = jobs.results_of(session, [job.id for job in found])
    return [job_out(job, results[job.id]) for job in found]


@router.get("/{job_id}", response_model=JobOut, responses={404: {"description": "No such job"}})
def get_job(job_id: str, session: SessionDep) -> JobOut:
    try:
        job = jobs.get_job(session, job_id)
    except jobs.JobNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such job") from None
    return job_out(job, jobs.results_of(session, [job.id])[job.id])


@router.get(
    "/{job_id}/results/{name}",
    response_class=Response,
    responses={
        200: {"content": {ct: {} for ct in ACCEPTED_TYPES}},
        404: {"description": "No such result"},
    },
)
def get_result(job_id: str, name: str, session: SessionDep) -> Response:
    result = jobs.get_result(session, job_id, name)
    if result is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such result")
    return Response(
        content=result.data,
        media_type=result.content_type,
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )
