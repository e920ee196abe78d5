"""The Python source rule family (PS): the app's own code, read with `ast`, never imported.

- settings: the pydantic Settings class (R2, R16-R18): v1 leftovers (with a libcst fix),
  required fields nobody provides, the methods the spec names, the database default
- environment: variables read around the Settings class (R2.1) and `.env.example` (R2.1, R2.3)
- log_setup: print(), loggers not from get_logger, stdout and Elasticsearch handlers (R10, R20)
- cors: CORSMiddleware's origins (R19)
- startup: the database initialiser at start-up, Alembic, swallowed failures (R18)
- routes: /health and /metrics (R4.1, R11.4, R20.5)

The rules read the facts in auditor/facts (settings, routes, imports), computed once per run.
Codes are stable and never reused; `_`-prefixed modules hold shared helpers.
"""

# The document kinds these rules read: a check run imports this family only when the project
# has one of them (rules/__init__.py; regenerate rules/_index.py after changing it).
KINDS = ("dotenv", "python")
