"""A Dockerfile of many RUNs: the per-stage facts a rule reads (the stage chain's ENV) are
looked up once per stage, not once per RUN. Per RUN, each look-up walks every instruction of
the chain, so 40,000 `RUN useradd` lines took 94 s to check (issue 8, case 13's shape).
The test counts walks of the chain, not seconds."""

from __future__ import annotations

from auditor.documents.dockerfile import Dockerfile
from auditor.testing import check_files


def test_the_pip_cache_rule_walks_each_stage_chain_once_not_once_per_run(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    walks = []
    original = Dockerfile.chain_instructions

    def counting(self, stage):  # type: ignore[no-untyped-def]
        walks.append(stage.index)
        return original(self, stage)

    monkeypatch.setattr(Dockerfile, "chain_instructions", counting)
    text = "FROM python:3.11-slim\n" + "RUN pip install x\n" * 200
    findings = check_files({"Dockerfile": text}, select=["DF006"])
    assert len(findings) == 200  # the rule did run on every RUN
    assert len(walks) <= 1
