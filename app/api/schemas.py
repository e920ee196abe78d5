"""The Job shape the UI reads (see app/README.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel

from app.image.jobs import ResultInfo
from app.models import ImageJob


class ResultOut(BaseModel):
    name: str
    width: int
    height: int
    content_type: str
    url: str


class JobOut(BaseModel):
    id: str
    filename: str
    content_type: str
    status: Literal["pending", "processing", "done", "failed"]
    created_at: str
    updated_at: str
    error: str | None
    results: list[ResultOut]


def iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:  # stored naive by an older row: UTC by convention
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def job_out(job: ImageJob, results: list[ResultInfo]) -> JobOut:
    return JobOut(
        id=job.id,
        filename=job.filename,
        content_type=job.content_type,
        status=job.status,  # type: ignore[arg-type]
        created_at=iso_utc(job.created_at),
        updated_at=iso_utc(job.updated_at),
        error=job.error,
        results=[
            ResultOut(
                name=result.name,
                width=result.width,
                height=result.height,
                content_type=result.content_type,
                url=f"/api/images/{job.id}/results/{result.name}",
            )
            for result in results
        ],
    )
