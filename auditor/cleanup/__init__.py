"""Cleanup (R21): what is junk, what uses it, how big the build contexts are, and the commit.

- settings: the junk and ignore-file patterns, from `[tool.mami-audit.cleanup]` or the spec
- junk: classify a path as junk (reason code), list the project's junk, tracked or not
- gitindex: tracked paths and sizes read from .git/index (no `stat` per file)
- secrets: `.env` values that look like live keys (R16.5)
- usage: what keeps a junk path (a Dockerfile COPYs it, compose mounts it, code imports it)
- project_junk: the audited project's junk, once per run, for the JK rules
- contexts: build-context size and file count, honouring .dockerignore, stat only
- plan: the cleanup plan (`mami-audit cleanup`), as text or as JSON
- gitops / apply: `cleanup --apply`, through git and a separate index, resumable after a kill

The JK and IG rule families (rules/junk, rules/ignore_files) read the same modules, so
`check` and `cleanup` never disagree about what is junk; the plan's ignore-file changes are
the IG rules' safe fixes.
"""
