"""The one-line verdicts every readiness format shares."""

from __future__ import annotations

from auditor.readiness import Readiness, Status, percent

STATUS_ORDER = (Status.FAIL, Status.NOT_CHECKED, Status.PASS, Status.RUNTIME_ONLY)


def headline(readiness: Readiness) -> str:
    """ "Readiness 45%: 20 of 44 checkable criteria pass; 3 fail, 21 not checked; 7 runtime-only."""
    if readiness.nothing_checked:
        return (
            "Nothing was checked: no rule found a file to read here. "
            f"{readiness.count(Status.NOT_CHECKED)} criteria not checked, "
            f"{readiness.count(Status.RUNTIME_ONLY)} runtime-only."
        )
    return (
        f"Readiness {percent(readiness.readiness)}: {readiness.count(Status.PASS)} of "
        f"{readiness.checkable} checkable criteria pass; {readiness.count(Status.FAIL)} fail, "
        f"{readiness.count(Status.NOT_CHECKED)} not checked; "
        f"{readiness.count(Status.RUNTIME_ONLY)} runtime-only."
    )
