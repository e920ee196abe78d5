"""What the workflow rules share: the expected workflow, its steps across reusable workflows and
local composite actions, and the shapes of commands and action references."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import NamedTuple

from auditor.documents.action import Action
from auditor.documents.kinds import ACTION_NAMES as ACTION_FILE_NAMES
from auditor.documents.kinds import WORKFLOW_FOLDER as FOLDER
from auditor.documents.workflow import Step, Workflow
from auditor.documents.yamlfile import YamlDocument, mapping_get
from auditor.lazy_pattern import LazyPattern
from auditor.project import normalise
from auditor.rule import Context, Rule

_FULL_SHA_RE = LazyPattern(r"^[0-9a-f]{40}$")
_EXPRESSION_RE = LazyPattern(r"\$\{\{(.*?)\}\}", flags=0)


def expected_workflow(context: Context) -> Workflow | None:
    """The workflow R13.1 names, parsed; None when it is absent or does not parse."""
    document = context.project.document(context.expect.workflow_path, "workflow")
    if isinstance(document, Workflow) and document.parse_error is None:
        return document
    return None


def workflows(context: Context) -> Iterator[Workflow]:
    for document in context.project.documents("workflow"):
        if isinstance(document, Workflow) and document.parse_error is None:
            yield document


def actions(context: Context) -> Iterator[Action]:
    for document in context.project.documents("action"):
        if isinstance(document, Action) and document.parse_error is None:
            yield document


def all_steps(context: Context) -> Iterator[Step]:
    """Every step of every workflow and of every composite action in the repository."""
    for workflow in workflows(context):
        yield from workflow.steps()
    for action in actions(context):
        yield from action.steps()


class PipelineStep(NamedTuple):
    step: Step
    conditions: tuple[str, ...]  # the `if:` of the calling jobs, the job and the step


def action_name(uses: str) -> str:
    """`docker/build-push-action@v6` -> `docker/build-push-action` (lower case)."""
    return uses.split("@", 1)[0].strip().lower()


def _local_target(uses: str) -> str | None:
    """The repository path a local `uses: ./x` names, or None for a remote reference."""
    if not uses.startswith("./"):
        return None
    return normalise(uses.split("@", 1)[0])


def pipeline_steps(context: Context, workflow: Workflow) -> Iterator[PipelineStep]:
    """The steps a run of `workflow` executes, reading through local reusable workflows
    (`jobs.<id>.uses: ./.github/workflows/x.yml`) and local composite actions
    (`steps[*].uses: ./path`). Each file is entered once, so a cycle ends."""
    seen: set[str] = set()

    def from_workflow(document: Workflow, outer: tuple[str, ...]) -> Iterator[PipelineStep]:
        if document.path in seen:
            return
        seen.add(document.path)
        for job in document.jobs():
            conditions = outer + _condition(job.mapping)
            target = _local_target(job.uses)
            if target is not None:
                called = context.project.document(target, "workflow")
                if isinstance(called, Workflow) and called.parse_error is None:
                    yield from from_workflow(called, conditions)
                continue
            for step in job.steps():
                yield from from_step(step, conditions)

    def from_step(step: Step, outer: tuple[str, ...]) -> Iterator[PipelineStep]:
        conditions = outer + _condition(step.mapping)
        yield PipelineStep(step, conditions)
        target = _local_target(step.uses)
        if target is None:
            return
        for name in ACTION_FILE_NAMES:
            path = posixpath.join(target, name) if target != "." else name
            if path in seen:
                return
            action = context.project.document(path, "action")
            if isinstance(action, Action) and action.parse_error is None:
                seen.add(path)
                for inner in action.steps():
                    yield from from_step(inner, conditions)
                return

    yield from from_workflow(workflow, ())


def _condition(mapping: object) -> tuple[str, ...]:
    value = mapping_get(mapping, "if")
    return (str(value),) if value is not None and value != "" else ()


def is_full_sha(ref: str) -> bool:
    return bool(_FULL_SHA_RE.match(ref))


def expressions(text: str) -> Iterator[tuple[int, str]]:
    """Offsets and inner text of the `${{ ... }}` expressions in `text`."""
    for match in _EXPRESSION_RE.finditer(text):
        yield match.start(), match.group(1).strip()


class WorkflowRule(Rule):
    example_path = f"{FOLDER}/docker-build.yml"


def step_span(step: Step, key: str) -> tuple[int, int, int, int]:
    """Where a finding about a step's `key` goes: that key's line, else the step's first."""
    document: YamlDocument = step.document
    if mapping_get(step.mapping, key) is not None:
        from auditor.documents.yamlfile import key_of

        return document.key_line_span(step.mapping, key_of(step.mapping, key))
    line, column = document.item_position(step.steps, step.index)
    return line, column, line, document.line_length(line) + 1
