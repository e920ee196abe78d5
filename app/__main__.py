"""`python -m app`: the API under uvicorn (NODE_MODE=CORE, R15.1) or the image worker
(NODE_MODE=WORKER, R15.2)."""

from __future__ import annotations

import sys

from app.config import load_settings_or_report

# How long uvicorn lets in-flight requests finish after SIGTERM; the log flush
# (LOG_SHIP_FLUSH_SECONDS) follows. docker-compose.yml's stop_grace_period covers both.
GRACEFUL_SHUTDOWN_SECONDS = 20


def main() -> int:
    settings = load_settings_or_report()
    if settings is None:
        return 2
    if settings.NODE_MODE == "WORKER":
        from app.image.worker_local import run_worker

        return run_worker(settings)

    import uvicorn

    from app.main import create_app

    # log_config=None: uvicorn's loggers propagate to ours (JSON on stdout, Elasticsearch).
    uvicorn.run(
        create_app(settings),
        host=settings.HOST,
        port=settings.PORT,
        log_config=None,
        proxy_headers=True,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
