"""The Node family (NP): package.json, package-lock.json, the Node image and the Vite dev
server, checked against each other and against R7 and R9. One small class per rule:

- versions: the spec's exact versions, pins, versions across package.json files
- lockfile: a lockfile exists, `npm ci` would accept it, its format is current
- image: the Node image against the engines the packages need, end of life, npm ci in images
- manifest: scripts, engines, malformed fields and duplicate keys of package.json
- vite: the dev server's settings read from a plain vite.config object
- online: advisories for the locked versions (`npm audit`, only with --online)

Codes are stable and never reused. Shared helpers live in the `_`-prefixed modules.
"""

# The document kinds these rules read (rules/__init__.py: a check run imports the family only
# when the project has one of them).
KINDS = ("package-json", "package-lock", "vite-config", "dockerfile", "compose")
# Without a package.json, lockfile, vite config or compose service there is no Node app to
# judge; the Node image in a Dockerfile is image.py's, which declares its own kinds.
NEEDS = ("package-json", "package-lock", "vite-config", "compose")
