"""Mami AI reference backend: the API (NODE_MODE=CORE) and the image worker (NODE_MODE=WORKER)."""
