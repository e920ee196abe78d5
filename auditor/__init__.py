"""mami-audit: a static audit-and-cleanup linter for FastAPI + React + Docker Compose projects."""

__version__ = "0.1.0"
