"""The golden test: mami-audit finds nothing in this repository.

The reference project (Dockerfiles, compose files, observability configs, workflow, app and
frontend) is what users copy, so it must meet every rule mami-audit has.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_mami_audit_reports_nothing_on_this_repository(repo_root: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "auditor", "check", ".", "--output-format", "json"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode in (0, 1), completed.stderr
    report = json.loads(completed.stdout)
    findings = [
        f"{f['path']}:{f['line']}:{f['column']}: {f['code']} {f['message']}" for f in report["findings"]
    ]
    assert findings == [], "\n".join(findings)
    assert report["summary"]["findings"] == 0
    assert report["summary"]["files"] > 0  # it did look at the repository
    assert completed.returncode == 0
