"""Many requirements with markers: PY005 groups an install set's entries once, not once per
entry (grouping evaluates every entry's marker, so per entry it was quadratic: 5,000 such
lines took minutes; issue 8). The test counts marker evaluations, not seconds."""

from __future__ import annotations

from packaging.markers import Marker

from auditor.testing import check_files


def test_py005_evaluates_each_marker_a_bounded_number_of_times(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    evaluations = []
    original = Marker.evaluate

    def counting(self, *arguments, **keywords):  # type: ignore[no-untyped-def]
        evaluations.append(1)
        return original(self, *arguments, **keywords)

    monkeypatch.setattr(Marker, "evaluate", counting)
    count = 200
    requirements = "".join(f"package-{n}>=1.0 ; python_version >= '3.9'\n" for n in range(count))
    findings = check_files(
        {
            "Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\n"
            "RUN pip install --no-cache-dir -r requirements.txt\n",
            "requirements.txt": requirements,
        },
        select=["PY005"],
    )
    assert len(findings) == count  # every requirement was looked at
    assert len(evaluations) <= 4 * count
