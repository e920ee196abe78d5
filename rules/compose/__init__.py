"""The Compose rule family (CP): the stack as Docker Compose merges it.

- model: the files themselves (compose-spec schema, interpolation, include, extends)
- services: the services, the network and the published ports (R3, R6)
- health: health checks and what restarts an unhealthy container (R4, R10.5, R11.5, R12.5)
- storage: bind mounts and named volumes (R5)
- frontend: the UI service's dev server (R7, R3.3)
- backend: the API and the worker (R2.1, R14, R15), Elasticsearch (R10), secrets
- practice: good practice mirrored from dclint and KICS
- seams: what the compose file says against the other files (Dockerfile, build context)

Codes are stable and never reused. Shared helpers live in `_base`.
"""

# The document kinds these rules read: the compose files, and the Dockerfiles, requirements
# and Python code the stacks point at (rules/__init__.py; regenerate rules/_index.py after
# changing it).
KINDS = ("compose", "dockerfile", "python", "requirements")
# Without a compose file there is no stack, and none of these rules reports: a project of
# Dockerfiles alone does not import the family (tests/rules/test_rule_index.py checks it).
NEEDS = ("compose",)
