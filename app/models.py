"""Database tables. Alembic migrations (migrations/versions/) must match these exactly;
tests/app/test_migrations.py checks that autogenerate finds no difference."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Aware UTC, as SQLModel's UTCDateTime columns require (they return UTC too)."""
    return datetime.now(UTC)


class JobStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"


class ImageVariant(SQLModel, table=True):
    """A size the worker renders every uploaded image to (default rows in database.py)."""

    __tablename__ = "image_variant"

    name: str = Field(primary_key=True, max_length=32)
    max_edge: int = Field(gt=0)  # longest side in pixels; smaller images are not enlarged
    format: str = Field(max_length=8)  # Pillow format name: WEBP, JPEG or PNG
    quality: int = Field(default=85, ge=1, le=100)


class ImageJob(SQLModel, table=True):
    __tablename__ = "image_job"

    id: str = Field(primary_key=True, max_length=32)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=64)
    status: str = Field(default=JobStatus.PENDING.value, max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    error: str | None = Field(default=None, max_length=1000)
    # A claim is a lease: a job whose worker dies is handed out again once it expires.
    attempts: int = Field(default=0)
    lease_id: str | None = Field(default=None, max_length=32)
    lease_expires_at: datetime | None = Field(default=None)


class ImageOriginal(SQLModel, table=True):
    """The uploaded bytes, apart from the job row so that listing jobs stays light."""

    __tablename__ = "image_original"

    job_id: str = Field(primary_key=True, foreign_key="image_job.id", max_length=32)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class ImageResult(SQLModel, table=True):
    __tablename__ = "image_result"

    job_id: str = Field(primary_key=True, foreign_key="image_job.id", max_length=32)
    name: str = Field(primary_key=True, max_length=32)
    width: int
    height: int
    content_type: str = Field(max_length=64)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
