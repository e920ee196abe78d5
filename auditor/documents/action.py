"""Action metadata files (`action.yml`, `action.yaml`): a repository's own actions.

The workflow rules read the steps of composite actions (`runs.using: composite`) the way they
read a job's: a workflow step `uses: ./.github/actions/build` runs those steps, and their
`uses:` and `run:` carry the same risks as a workflow's.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.documents.base import ParseError, SourceFile
from auditor.documents.kinds import is_action as matches  # noqa: F401  (the kind's test)
from auditor.documents.workflow import Step
from auditor.documents.yamlfile import YamlDocument, is_mapping, is_sequence, load, mapping_get
from auditor.records import record

KIND = "action"


@record
class Action(YamlDocument):
    @property
    def is_composite(self) -> bool:
        runs = mapping_get(self.data, "runs")
        return is_mapping(runs) and str(mapping_get(runs, "using", "")).lower() == "composite"

    def steps(self) -> Iterator[Step]:
        if not self.is_composite:
            return
        steps = mapping_get(mapping_get(self.data, "runs"), "steps")
        if not is_sequence(steps):
            return
        for index, step in enumerate(steps):
            if is_mapping(step):
                yield Step(self, "", index, step, steps)


def parse(source: SourceFile) -> Action:
    data, error = load(source)
    if error is not None:
        return Action(source, error)
    if not is_mapping(data):
        return Action(
            source, ParseError("action metadata must be a mapping with `name` and `runs`")
        )
    return Action(source, data=data)
