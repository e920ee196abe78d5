"""A workflow with many checkouts: GH014 finds which steps run git once per document, not by
walking every step again for each checkout (quadratic: a 0.2 MB workflow took 5 s, 0.5 MB
half a minute; issue 8). The test counts walks over the steps, not seconds."""

from __future__ import annotations

from auditor.documents.workflow import Workflow
from auditor.testing import check_files

CHECKOUT = "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8"


def test_gh014_walks_the_steps_a_bounded_number_of_times(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    walks = []
    original = Workflow.steps

    def counting(self):  # type: ignore[no-untyped-def]
        walks.append(1)
        return original(self)

    monkeypatch.setattr(Workflow, "steps", counting)
    count = 100
    steps = "".join(f"      - uses: {CHECKOUT}\n      - run: echo {n}\n" for n in range(count))
    text = (
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        + steps
        + "      - run: git push origin HEAD\n"
    )
    findings = check_files({".github/workflows/ci.yml": text}, select=["GH014"])
    assert len(findings) == count
    assert all("a later step runs git" in finding.fix.message for finding in findings)
    assert len(walks) <= 5
