"""The CI workflow rule family (GH): `.github/workflows/*.yml` and the repository's own actions.

- presence: R13.1, the workflow the spec names exists (GH001, the one rule that needs no
  workflow file)
- pipeline: R13, the workflow the spec names (push and pull_request triggers, image build,
  smoke test and push, dependency tests, no hidden failures)
- security: good practice for every workflow and composite action, after zizmor's audits

Codes are stable and never reused. Shared helpers live in `_base`.
"""

# The document kinds these rules read; without a workflow or an action file none of them
# reports, except presence.py's, which declares its own (rules/__init__.py).
KINDS = ("workflow", "action", "dockerfile")
NEEDS = ("workflow", "action")
