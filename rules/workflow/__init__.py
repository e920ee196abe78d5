"""The CI workflow rule family (GH): `.github/workflows/*.yml` and the repository's own actions.

- pipeline: R13, the workflow the spec names (push and pull_request triggers, image build,
  smoke test and push, dependency tests, no hidden failures)
- security: good practice for every workflow and composite action, after zizmor's audits

Codes are stable and never reused. Shared helpers live in `_base`.
"""
