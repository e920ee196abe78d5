"""Image jobs in the database: create, list, lease to a worker, complete or fail.

A worker claims a job with a lease (lease_id + expiry). If the worker dies, the lease expires
and the next claim hands the job out again, so no job is lost; after IMAGE_JOB_MAX_ATTEMPTS
expired leases the job is marked failed instead of looping forever. Results are accepted only
from the holder of the current lease.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from app.models import ImageJob, ImageOriginal, ImageResult, ImageVariant, JobStatus, utcnow


@dataclass(frozen=True)
class ResultInfo:
    name: str
    width: int
    height: int
    content_type: str


@dataclass(frozen=True)
class NewResult:
    name: str
    width: int
    height: int
    content_type: str
    data: bytes


class JobNotFound(LookupError):
    pass


class LeaseLost(RuntimeError):
    """The job is no longer leased to the caller (expired and handed out again, or finished)."""


def create_job(session: Session, filename: str, content_type: str, data: bytes) -> ImageJob:
    job = ImageJob(id=uuid.uuid4().hex, filename=filename[:255], content_type=content_type)
    session.add(job)
    session.flush()  # the job row must exist before the original that refers to it
    session.add(ImageOriginal(job_id=job.id, data=data))
    session.commit()
    session.refresh(job)
    return job


def list_jobs(session: Session, limit: int = 100) -> Sequence[ImageJob]:
    statement = (
        select(ImageJob)
        .order_by(col(ImageJob.created_at).desc(), col(ImageJob.id).desc())
        .limit(limit)
    )
    return session.exec(statement).all()


def get_job(session: Session, job_id: str) -> ImageJob:
    job = session.get(ImageJob, job_id)
    if job is None:
        raise JobNotFound(job_id)
    return job


def results_of(session: Session, job_ids: Sequence[str]) -> dict[str, list[ResultInfo]]:
    """Result metadata per job, without loading the image bytes."""
    found: dict[str, list[ResultInfo]] = {job_id: [] for job_id in job_ids}
    if not job_ids:
        return found
    statement = (
        select(
            ImageResult.job_id,
            ImageResult.name,
            ImageResult.width,
            ImageResult.height,
            ImageResult.content_type,
        )
        .where(col(ImageResult.job_id).in_(job_ids))
        .order_by(col(ImageResult.name))
    )
    for job_id, name, width, height, content_type in session.exec(statement).all():
        found[job_id].append(ResultInfo(name, width, height, content_type))
    return found


def get_result(session: Session, job_id: str, name: str) -> ImageResult | None:
    return session.get(ImageResult, (job_id, name))


def get_original(session: Session, job_id: str) -> bytes:
    original = session.get(ImageOriginal, job_id)
    if original is None:
        raise JobNotFound(job_id)
    return original.data


def variants(session: Session) -> Sequence[ImageVariant]:
    return session.exec(select(ImageVariant).order_by(col(ImageVariant.name))).all()


def _claimable(now: datetime):  # type: ignore[no-untyped-def]
    return or_(
        col(ImageJob.status) == JobStatus.PENDING.value,
        and_(
            col(ImageJob.status) == JobStatus.PROCESSING.value,
            col(ImageJob.lease_expires_at) < now,
        ),
    )


def fail_exhausted_jobs(session: Session, max_attempts: int) -> int:
    """Jobs whose lease expired max_attempts times are failed, not handed out again."""
    now = utcnow()
    result = session.execute(
        update(ImageJob)
        .where(
            col(ImageJob.status) == JobStatus.PROCESSING.value,
            col(ImageJob.lease_expires_at) < now,
            col(ImageJob.attempts) >= max_attempts,
        )
        .values(
            status=JobStatus.FAILED.value,
            error=f"no worker finished the job in {max_attempts} attempts",
            lease_id=None,
            lease_expires_at=None,
            updated_at=now,
        )
    )
    session.commit()
    return result.rowcount or 0


def claim_next_job(session: Session, lease_seconds: float, max_attempts: int) -> ImageJob | None:
    """Lease the oldest claimable job to the caller, or None when there is none.

    The UPDATE repeats the claimable condition, so two workers racing for the same row cannot
    both win: the loser's UPDATE matches nothing and it tries the next job.
    """
    fail_exhausted_jobs(session, max_attempts)
    for _ in range(10):
        now = utcnow()
        candidate = session.exec(
            select(ImageJob.id)
            .where(_claimable(now))
            .order_by(col(ImageJob.created_at), col(ImageJob.id))
            .limit(1)
        ).first()
        if candidate is None:
            return None
        lease_id = uuid.uuid4().hex
        result = session.execute(
            update(ImageJob)
            .where(col(ImageJob.id) == candidate, _claimable(now))
            .values(
                status=JobStatus.PROCESSING.value,
                lease_id=lease_id,
                lease_expires_at=now + timedelta(seconds=lease_seconds),
                attempts=ImageJob.attempts + 1,
                updated_at=now,
            )
        )
        session.commit()
        if result.rowcount == 1:
            return get_job(session, candidate)
    return None


def _finish_lease(
    session: Session, job_id: str, lease_id: str, status: JobStatus, error: str | None
) -> None:
    """End the caller's lease with `status`, inside the session's open transaction.

    The lease is checked by the UPDATE itself, so a worker whose lease expired (and whose
    job went to another worker) cannot finish it, however the requests interleave.
    """
    result = session.execute(
        update(ImageJob)
        .where(
            col(ImageJob.id) == job_id,
            col(ImageJob.status) == JobStatus.PROCESSING.value,
            col(ImageJob.lease_id) == lease_id,
        )
        .values(
            status=status.value,
            error=error,
            lease_id=None,
            lease_expires_at=None,
            updated_at=utcnow(),
        )
    )
    if result.rowcount != 1:
        session.rollback()
        job = get_job(session, job_id)  # raises JobNotFound
        raise LeaseLost(f"job {job_id} is not leased to this worker (status {job.status})")


def complete_job(
    session: Session, job_id: str, lease_id: str, results: Sequence[NewResult]
) -> ImageJob:
    """Store every result and mark the job done, in one transaction."""
    _finish_lease(session, job_id, lease_id, JobStatus.DONE, None)
    for old in session.exec(select(ImageResult).where(col(ImageResult.job_id) == job_id)).all():
        session.delete(old)
    session.flush()
    for result in results:
        session.add(
            ImageResult(
                job_id=job_id,
                name=result.name,
                width=result.width,
                height=result.height,
                content_type=result.content_type,
                data=result.data,
            )
        )
    session.commit()
    return get_job(session, job_id)


def fail_job(session: Session, job_id: str, lease_id: str, error: str) -> ImageJob:
    _finish_lease(session, job_id, lease_id, JobStatus.FAILED, error[:1000])
    session.commit()
    return get_job(session, job_id)
