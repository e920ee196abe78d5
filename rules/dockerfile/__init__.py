"""The Dockerfile rule family (DF): one small class per rule, grouped by topic.

- runtime: how the final image runs (user, health check, environment, writable directories)
- build: how dependencies get into the image (wheels, pip cache, compilers, layer order)
- commands: shell habits in RUN (cd, sudo, apt, wget, consecutive RUNs, ...)
- context: what COPY/ADD take from the build context
- images: base images (tags, Python versions)
- packages: version pins and package-manager caches (apk, pip, npm, yarn)
- hygiene: hadolint-compatible good practice (ADD, CMD form, apt-get, pipefail, ...)
- structure: where instructions stand, stages, COPY --from, instructions that count once

Codes are stable and never reused. Shared helpers live in the `_`-prefixed modules.
"""

# The document kinds these rules read: a check run imports this family only when the project
# has one of them (rules/__init__.py; regenerate rules/_index.py after changing it).
KINDS = ("dockerfile", "dockerignore")
