"""GitHub Actions workflows (`.github/workflows/*.yml`): triggers, jobs and steps with positions.

The model stays close to the YAML (ruamel's round-trip mappings) and adds the readings every
workflow rule needs: the triggers in any of their three spellings (`on: push`,
`on: [push, pull_request]`, a mapping), the jobs, and each job's steps. Anchors and merge keys
are resolved by the loader. A file that is not a mapping of keys is a parse error: GitHub
refuses it, and no rule could read it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from auditor.documents.base import ParseError, SourceFile
from auditor.documents.kinds import is_workflow as matches  # noqa: F401  (the kind's test)
from auditor.documents.yamlfile import (
    YamlDocument,
    is_mapping,
    is_sequence,
    key_of,
    load,
    mapping_get,
    mapping_items,
)
from auditor.records import record

KIND = "workflow"


class Step(NamedTuple):
    """One step of a job (or of a composite action), with where it sits in its file."""

    document: YamlDocument
    job: str  # the job's id; "" for a composite action's steps
    index: int  # 0-based position in the steps list
    mapping: Any  # the step's own mapping
    steps: Any  # the sequence holding it

    @property
    def uses(self) -> str:
        value = mapping_get(self.mapping, "uses")
        return value.strip() if isinstance(value, str) else ""

    @property
    def run(self) -> str:
        value = mapping_get(self.mapping, "run")
        return value if isinstance(value, str) else ""

    @property
    def inputs(self) -> Any:
        value = mapping_get(self.mapping, "with")
        return value if is_mapping(value) else {}

    @property
    def line(self) -> int:
        return self.document.item_position(self.steps, self.index)[0]

    def describe(self) -> str:
        name = mapping_get(self.mapping, "name")
        label = f"step {name!r}" if isinstance(name, str) else f"step {self.index + 1}"
        return f"job {self.job!r}, {label}" if self.job else label


class Job(NamedTuple):
    document: Workflow
    id: str
    mapping: Any

    @property
    def line(self) -> int:
        return self.document.key_position(self.document.jobs_mapping, self.id)[0]

    @property
    def uses(self) -> str:
        """A reusable workflow called by this job (`uses:` at job level), or ""."""
        value = mapping_get(self.mapping, "uses")
        return value.strip() if isinstance(value, str) else ""

    def steps(self) -> Iterator[Step]:
        steps = mapping_get(self.mapping, "steps")
        if not is_sequence(steps):
            return
        for index, step in enumerate(steps):
            if is_mapping(step):
                yield Step(self.document, self.id, index, step, steps)


@record
class Workflow(YamlDocument):
    @property
    def on_key(self) -> Any:
        """The key holding the triggers: "on", or True where YAML 1.1 read `on` as a boolean."""
        return key_of(self.data, "on")

    def triggers(self) -> dict[str, Any]:
        """Event name -> its settings (None when given bare): `on: push` -> {"push": None}."""
        value = mapping_get(self.data, "on")
        if isinstance(value, str):
            return {value: None}
        if is_sequence(value):
            return {item: None for item in value if isinstance(item, str)}
        return dict(mapping_items(value))

    @property
    def jobs_mapping(self) -> Any:
        jobs = mapping_get(self.data, "jobs")
        return jobs if is_mapping(jobs) else {}

    def jobs(self) -> list[Job]:
        return [
            Job(self, job_id, job)
            for job_id, job in mapping_items(self.jobs_mapping)
            if is_mapping(job)
        ]

    def steps(self) -> Iterator[Step]:
        for job in self.jobs():
            yield from job.steps()


def parse(source: SourceFile) -> Workflow:
    data, error = load(source)
    if error is not None:
        return Workflow(source, error)
    if data is None:
        return Workflow(source, ParseError("the workflow is empty (GitHub needs `on` and `jobs`)"))
    if not is_mapping(data):
        kind = "a list" if is_sequence(data) else f"a {type(data).__name__}"
        return Workflow(
            source, ParseError(f"a workflow must be a mapping with `on` and `jobs`, not {kind}")
        )
    return Workflow(source, data=data)
