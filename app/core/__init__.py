"""Cross-cutting pieces: logging, the database, metrics."""
