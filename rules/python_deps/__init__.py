"""The Python dependency family (PY): requirements files and pyproject dependencies.

- files: lines pip cannot parse, broken includes, credentials in URLs
- spec: the versions and packages the spec names (R8.1, R8.2)
- pins: unpinned lines, partial hashes, conflicts (R8.5), duplicates
- hygiene: deprecated distributions, dev tools in the production file
- drift: the image's requirements against the code's imports (deptry's DEP001-DEP004)
- online: the resolver's verdict and known vulnerabilities (only with --online)

Which requirements the image installs, and which files pip reads together, is worked out once
per project in `_model`. Codes are stable and never reused.
"""

# The document kinds these rules read: a check run imports this family only when the project
# has one of them (rules/__init__.py; regenerate rules/_index.py after changing it). Dockerfiles
# say which requirements the image installs, Python files what the code imports.
KINDS = ("requirements", "pyproject", "dockerfile", "python")
# A Dockerfile alone gives these rules nothing to report (its pip calls are DF's), so the
# family loads only with a dependency file or Python code (tests/rules/test_rule_index.py).
NEEDS = ("requirements", "pyproject", "python")
