"""R13.1: the CI workflow the spec names exists.

The one GH rule that reports without any workflow file, so a module of its own: a project of
Dockerfiles loads it without the workflow parser and the other GH rules (rules/__init__.py).
What the workflow must hold is pipeline.py's.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.documents.kinds import WORKFLOW_FOLDER
from auditor.rule import Context, Finding, Rule, Severity, register

# Without a Dockerfile there is no image for R13 to build, and this rule says nothing.
KINDS = ("workflow", "dockerfile")
NEEDS = ("dockerfile",)

# Whether the workflow is complete is for the other GH rules; here any file will do.
_ANY_WORKFLOW = "on: [push, pull_request]\njobs: {}\n"


@register
class MissingWorkflow(Rule):
    """The CI workflow the spec names does not exist.

    ## What it does
    Checks that `.github/workflows/docker-build.yml` (`expect.workflow` names another file in
    `.github/workflows/`) exists in a project that has a Dockerfile. The finding lands on the
    first other workflow, else on the first Dockerfile.

    ## Why is this bad?
    The spec wants every push built, tested and pushed by that workflow (R13.1); without it,
    an image nobody built in CI reaches production, and the other R13 criteria cannot be met.

    ## Example
    A project with a `Dockerfile` and only `.github/workflows/lint.yml`.

    ## How to fix
    Add `.github/workflows/docker-build.yml` running on `push` and `pull_request`, with jobs
    that test the dependencies, build and smoke-test the image and push it from the default
    branch (this repository's own workflow is a complete example), or set `expect.workflow`
    to the file that does this.
    """

    code = "GH001"
    example_path = f"{WORKFLOW_FOLDER}/docker-build.yml"
    name = "missing-workflow"
    summary = "The CI workflow the spec names (.github/workflows/docker-build.yml) is missing"
    severity = Severity.ERROR
    requirements = ("R13.1",)
    bad_examples = (
        Rule.bad({"Dockerfile": 'FROM python:3.11-slim\nCMD ["python", "-m", "app"]\n'}, count=1),
        Rule.bad(
            {".github/workflows/lint.yml": "on: push\njobs: {}\n", "Dockerfile": "FROM scratch\n"},
            count=1,
        ),
    )
    good_examples = (
        Rule.good({".github/workflows/docker-build.yml": _ANY_WORKFLOW}),
        Rule.good({"README.md": "no image, no workflow\n"}),
        Rule.good({".github/workflows/lint.yml": "on: push\njobs: {}\n"}),
        Rule.good(
            {".github/workflows/ci.yml": _ANY_WORKFLOW, "Dockerfile": "FROM scratch\n"},
            config={"expect": {"workflow": "ci.yml"}},
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        path = context.expect.workflow_path
        if context.project.document(path, "workflow") is not None:
            return
        dockerfiles = context.project.documents("dockerfile")
        if not dockerfiles:  # no image to build: R13 is not this project's concern
            return
        others = sorted(
            (d for d in context.project.documents("workflow") if d.parse_error is None),
            key=lambda document: document.path,
        )
        message = f"There is no {path}: no CI workflow builds, tests and pushes the image"
        if others:
            document = others[0]
            message += f" ({document.path} is not the workflow the spec names)"
            yield self.finding(document, document.line_span(1), message)
            return
        yield self.finding(dockerfiles[0], dockerfiles[0].line_span(1), message)
