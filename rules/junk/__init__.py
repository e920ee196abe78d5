"""JK: junk files and folders committed to the project (R21.1-R21.5, R16.5).

Each rule reports one kind of junk the cleanup removes (`mami-audit cleanup --apply`): old
documentation, backups, throw-away scripts, dependency and build folders, OS and editor
files, local databases, and committed `.env` files holding keys. The patterns come from
`[tool.mami-audit.cleanup]`, with the spec's as defaults (see auditor/cleanup/settings.py).

A path something uses is not reported: a Dockerfile COPYs it, compose mounts it, the app
imports it, a package.json script or the CI workflow runs it. `mami-audit cleanup` lists
those as kept, with the reason. Inside git only tracked paths count (see project_junk).
"""
