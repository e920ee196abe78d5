"""Dependencies shared by the routes: settings, a database session, the worker's token."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from sqlmodel import Session

from app.config import Settings
from app.core.database import get_engine


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def get_session(settings: SettingsDep) -> Iterator[Session]:
    with Session(get_engine(settings.DATABASE_URL)) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def internal_token_problem(settings: Settings, authorization: str | None) -> HTTPException | None:
    """Why `Authorization: Bearer <INTERNAL_UPLOAD_TOKEN>` is not accepted (R15.5), or None.

    503 when the server has no token: the internal API is then closed rather than open.
    Used by UploadGuard (before any body is read) and by require_internal_token.
    """
    expected = settings.get_internal_token()
    if expected is None:
        return HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "INTERNAL_UPLOAD_TOKEN is not configured on the server",
        )
    scheme, _, presented = (authorization or "").partition(" ")
    # compare_digest takes as long for a near miss as for a wild guess.
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        presented.strip().encode(), expected.encode()
    ):
        return HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or wrong bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return None


def require_internal_token(
    settings: SettingsDep,
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    """The route-level check; UploadGuard has normally answered already."""
    problem = internal_token_problem(settings, authorization)
    if problem is not None:
        raise problem
