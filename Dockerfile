# syntax=docker/dockerfile:1
# The Mami AI backend image: the API (NODE_MODE=CORE, the default) and the image worker
# (NODE_MODE=WORKER, or `python -m app.image.worker_local`) run from this one image.

# --- builder: compile every dependency of requirements.txt into wheels (R1.2, R8.3) ---------
FROM python:3.11-slim-bookworm AS builder

# The Debian release is pinned by the tag, so the packages below only move with security
# updates; pinning their exact versions would break the build at every point release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build
COPY requirements.txt .
# A version conflict in requirements.txt makes this step, and so the build, fail (R8.5).
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

# --- runtime: no compilers, only the wheels and the app -------------------------------------
FROM python:3.11-slim-bookworm AS runtime

# A fixed uid/gid, so files the container writes into the ./data and ./logs bind mounts have
# a predictable owner on the host. Override at build time to match the host user.
ARG MAMI_UID=1000
ARG MAMI_GID=1000

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NODE_MODE=CORE

# curl is what the HEALTHCHECK below calls (R1.4).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid "${MAMI_GID}" mami \
    && useradd --uid "${MAMI_UID}" --gid mami --no-create-home --shell /usr/sbin/nologin mami

WORKDIR /app

# Dependencies before code, so a code change does not reinstall them. The wheels are
# bind-mounted from the builder rather than copied, so they never become an image layer.
COPY requirements.txt .
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels -r requirements.txt

COPY alembic.ini .
COPY migrations ./migrations
COPY app ./app

# Fail the build, naming the module, if any module of the app does not import (R1.3).
RUN python -m app.selfcheck

# sqlite:///data/app.db and the log files live here; the runtime user must own them (R18.4).
RUN mkdir -p /app/data /app/logs \
    && chown mami:mami /app/data /app/logs

# The spec names the user (R1.5, R14.4). Its uid is fixed above, so an orchestrator that needs
# a number (Kubernetes runAsNonRoot) can be given MAMI_UID explicitly.
# hadolint ignore=DL3066
USER mami

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["curl", "-fsS", "http://localhost:8000/health"]

CMD ["python", "-m", "app"]
