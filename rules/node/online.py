"""Advisories for the locked versions (run with --online): `npm audit` on each lockfile.

npm is asked rather than re-implemented: `npm audit --json --package-lock-only` sends the
locked names and versions to the registry's bulk advisory endpoint and matches the answer
against the lockfile's tree, honouring the project's .npmrc (a mirror, a private registry).
`MAMI_AUDIT_NPM_REGISTRY` overrides the registry (the tests' loopback server). When npm is
missing or the registry cannot be reached the rule says "could not check: <why>": a check
that did not run never passes silently.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

from auditor.documents.package_lock import PackageLock
from auditor.rule import Context, Finding, Severity, Span, register
from rules.node.lockfile import _LockRule

_SEVERITY_ORDER = ("info", "low", "moderate", "high", "critical")


def npm_audit(folder: str, context: Context) -> tuple[dict[str, Any] | None, str | None]:
    """(the audit report, None) or (None, why it could not check)."""
    # Imported here: every NP run loads this module, few of them go online.
    import shutil
    import subprocess

    npm = shutil.which("npm")
    if npm is None:
        return None, "npm is not installed"
    command = [npm, "audit", "--json", "--package-lock-only"]
    registry = os.environ.get("MAMI_AUDIT_NPM_REGISTRY")
    if registry:
        command += ["--registry", registry]
    try:
        done = subprocess.run(
            command,
            cwd=context.project.absolute(folder),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"npm audit did not finish: {error}"
    try:
        report = json.loads(done.stdout or "{}")
    except json.JSONDecodeError:
        return None, f"npm audit printed no report (exit {done.returncode})"
    if not isinstance(report, dict) or "vulnerabilities" not in report:
        message = report.get("message") if isinstance(report, dict) else None
        detail = message or (done.stderr.strip().splitlines() or ["npm audit failed"])[-1]
        return None, f"the advisory service cannot be reached ({detail})"
    return report, None


@register
class VulnerableLockedPackage(_LockRule):
    """A locked package version has a published security advisory (online).

    ## What it does
    With `--online`, runs `npm audit --json --package-lock-only` in each lockfile's folder:
    npm sends the locked versions to the registry's bulk advisory endpoint (through the
    project's .npmrc) and matches the advisories against the lockfile. Each package with an
    advisory of its own is reported at its lockfile entry, with the advisory's title,
    severity and URL. When npm is missing or the registry cannot be reached, one finding says
    "could not check" and why.

    ## Why is this bad?
    `npm ci` installs exactly the locked versions, vulnerabilities included, into the image
    that ships.

    ## Example
    package-lock.json locks `lodash` 4.17.15 (prototype pollution, fixed in 4.17.19).

    ## How to fix
    Upgrade the package (or the one that depends on it) to a fixed version and refresh the
    lockfile: `npm audit fix`, or `npm install lodash@4.17.21`.
    """

    code = "NP021"
    name = "vulnerable-locked-package"
    summary = "A locked package version has a security advisory (npm audit; --online)"
    severity = Severity.ERROR
    online = True
    example_path = "package-lock.json"
    _PACKAGE = '{"name": "web", "dependencies": {"lodash": "%s"}}\n'
    _LOCK = (
        '{"name": "web", "lockfileVersion": 3, "requires": true, "packages": {\n'
        '  "": {"name": "web", "dependencies": {"lodash": "%s"}},\n'
        '  "node_modules/lodash": {"version": "%s"}\n}}\n'
    )
    bad_examples = (
        _LockRule.bad(
            {
                "package.json": _PACKAGE % "4.17.15",
                "package-lock.json": _LOCK % ("4.17.15", "4.17.15"),
            },
            count=1,
        ),
    )
    good_examples = (
        _LockRule.good(
            {
                "package.json": _PACKAGE % "4.17.21",
                "package-lock.json": _LOCK % ("4.17.21", "4.17.21"),
            }
        ),
    )

    def check_lock(self, context: Context, lock: PackageLock) -> Iterator[Finding]:
        report, problem = npm_audit(lock.folder, context)
        if report is None:
            yield self.finding(lock, Span.point(1), f"could not check for advisories: {problem}")
            return
        vulnerabilities = report.get("vulnerabilities")
        if not isinstance(vulnerabilities, dict):
            return
        for name, item in sorted(vulnerabilities.items()):
            if not isinstance(item, dict):
                continue
            advisories = [via for via in item.get("via", []) if isinstance(via, dict)]
            if not advisories:
                continue  # vulnerable only through a dependency: that one is reported
            worst = max(advisories, key=lambda via: _rank(via.get("severity")))
            more = f" (+{len(advisories) - 1} more)" if len(advisories) > 1 else ""
            for path in item.get("nodes", []) or []:
                entry = lock.packages.get(path)
                if entry is None:
                    continue
                message = (
                    f"{name} {entry.version}: {worst.get('title', 'advisory')} "
                    f"({worst.get('severity', '?')}, {worst.get('url', '')}){more}"
                )
                yield self.finding(lock, lock.field_span(entry, "version"), message)


def _rank(severity: object) -> int:
    return _SEVERITY_ORDER.index(severity) if severity in _SEVERITY_ORDER else -1
