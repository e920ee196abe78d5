"""IG: .gitignore and .dockerignore (R21.6).

- IG001: the root .gitignore does not ignore node_modules/, .venv/, .env, data/, logs/;
- IG002: a build context without a .dockerignore;
- IG003: a .dockerignore that lets in .git, node_modules, .venv, .env, tests or junk.

The required entries are `[tool.mami-audit.cleanup] gitignore` and `dockerignore`. Entries
are judged by matching, not by text: `node_modules` written as `**/node_modules/` counts, and
an allowlist-style .dockerignore (`*` then `!app/`) leaves everything else out already, so it
is understood rather than "fixed". The fixes append the missing lines under a comment (the
fixer keeps the file's line endings and BOM); they never reorder or rewrite a line.
"""
