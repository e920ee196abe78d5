"""R13: the CI workflow exists, runs on push and pull requests, builds, tests and pushes the
image and tests the Python and Node dependencies.

These rules read the one workflow the spec names (`expect.workflow`, by default
`.github/workflows/docker-build.yml`), through the local reusable workflows and composite
actions it calls: a job that delegates its build to `./.github/workflows/build.yml` builds.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.documents.workflow import Workflow
from auditor.documents.yamlfile import key_of, mapping_get
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Finding, Severity, Span, register
from rules.workflow._base import (
    PipelineStep,
    WorkflowRule,
    action_name,
    expected_workflow,
    pipeline_steps,
    step_span,
)

_IMAGE_BUILD_RE = LazyPattern(
    r"\b(?:docker\s+(?:buildx\s+)?build|docker(?:-|\s+)compose\b[^\n]*\sbuild|"
    r"podman\s+build|buildah\s+(?:bud|build))\b"
)
_IMAGE_RUN_RE = LazyPattern(
    r"\b(?:docker\s+(?:container\s+)?(?:run|exec)|docker(?:-|\s+)compose\b[^\n]*\s(?:up|run|exec)|"
    r"podman\s+run|container-structure-test)\b"
)
_IMAGE_PUSH_RE = LazyPattern(
    r"\b(?:docker\s+(?:image\s+)?push|docker\s+buildx\s+build\b[^\n]*--push|"
    r"docker(?:-|\s+)compose\b[^\n]*\spush|podman\s+push)\b"
)
_LOGIN_RE = LazyPattern(r"\b(?:docker|podman)\s+login\b([^\n]*)")
_PYTHON_INSTALL_RE = LazyPattern(
    r"\b(?:pip3?\s+install|uv\s+(?:sync|pip\s+install)|poetry\s+install|pdm\s+(?:install|sync)|"
    r"pipenv\s+(?:install|sync)|pip-sync)\b"
)
_PYTHON_TEST_RE = LazyPattern(r"\b(?:pytest|unittest|tox|nox)\b")
_NODE_INSTALL_RE = LazyPattern(
    r"\b(?:npm\s+(?:ci|install|i)|yarn(?:\s+install)?|pnpm\s+(?:i|install))\b"
)
_NODE_TEST_RE = LazyPattern(
    r"\b(?:npm\s+(?:test|t|run\s+(?:test|build)[\w:-]*)|yarn\s+(?:test|build)|"
    r"pnpm\s+(?:test|run\s+(?:test|build)))\b"
)
# Conditions that keep a step to pushes (of a branch or tag) rather than pull requests.
_PUSH_ONLY_RE = LazyPattern(
    r"github\.ref\b|refs/heads/|refs/tags/|github\.event_name|default_branch"
)

_BUILD_ACTIONS = ("docker/build-push-action", "docker/bake-action", "redhat-actions/buildah-build")
_PUSH_ACTIONS = ("redhat-actions/push-to-registry",)
_ACCEPTED_REGISTRIES = ("docker.io", "index.docker.io", "registry-1.docker.io", "ghcr.io")


def _first_line(workflow: Workflow) -> Span:
    return workflow.line_span(1)


def _jobs_span(workflow: Workflow) -> Span:
    key = key_of(workflow.data, "jobs")
    if key is None:
        return _first_line(workflow)
    return Span(*workflow.key_line_span(workflow.data, key))


def _builds_image(item: PipelineStep) -> bool:
    step = item.step
    return action_name(step.uses) in _BUILD_ACTIONS or bool(_IMAGE_BUILD_RE.search(step.run))


def _runs_image(item: PipelineStep) -> bool:
    return bool(_IMAGE_RUN_RE.search(item.step.run))


def _pushes_image(item: PipelineStep) -> bool:
    step = item.step
    name = action_name(step.uses)
    if name in _PUSH_ACTIONS:
        return True
    if name in _BUILD_ACTIONS:
        push = mapping_get(step.inputs, "push")
        # `push: ${{ github.event_name != 'pull_request' }}` pushes too, on some runs.
        return push is True or (isinstance(push, str) and push.strip().lower() not in ("", "false"))
    return bool(_IMAGE_PUSH_RE.search(step.run))


def _login_registries(item: PipelineStep) -> list[str] | None:
    """The registries a step logs in to ("" for Docker Hub); None when it logs in nowhere."""
    step = item.step
    if action_name(step.uses) == "docker/login-action":
        registry = mapping_get(step.inputs, "registry")
        return [str(registry).strip() if registry is not None else ""]
    match = _LOGIN_RE.search(step.run)
    if match is None:
        return None
    words = [word for word in match.group(1).split() if not word.startswith("-")]
    return [words[0] if words else ""]


def _registry_accepted(registry: str) -> bool:
    if not registry or "${{" in registry:  # Docker Hub, or not known before the run
        return True
    host = registry.lower().removeprefix("https://").removeprefix("http://").split("/", 1)[0]
    return host in _ACCEPTED_REGISTRIES


class PipelineRule(WorkflowRule):
    """A rule about the workflow the spec names; silent when it is absent (GH001 says so)."""

    def check(self, context: Context) -> Iterator[Finding]:
        workflow = expected_workflow(context)
        if workflow is not None:
            yield from self.check_workflow(context, workflow)

    def check_workflow(self, context: Context, workflow: Workflow) -> Iterator[Finding]:
        raise NotImplementedError(f"{type(self).__name__} does not define check_workflow()")


_PIPELINE = """\
on:
  push:
  pull_request:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
        with:
          persist-credentials: false
      - run: pip install -r requirements.txt && pytest
      - run: npm ci && npm test
        working-directory: frontend
  image:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
        with:
          persist-credentials: false
      - run: docker build -t mami-ai:ci .
      - run: docker run --rm mami-ai:ci python -c "import app.main"
  push:
    if: github.event_name == 'push' && github.ref == 'refs/heads/main'
    needs: [test, image]
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      packages: write
    steps:
      - uses: docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772 # v3.4.0
        with:
          registry: ghcr.io
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}
      - uses: docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83 # v6.18.0
        with:
          push: true
          tags: ghcr.io/${{ github.repository_owner }}/mami-ai:latest
"""


@register
class WorkflowTriggers(PipelineRule):
    """The CI workflow does not run on both `push` and `pull_request`.

    ## What it does
    Checks that the workflow's `on:` includes `push` (R13.1) and `pull_request` (R13.5), in
    any of its spellings (`on: push`, a list, a mapping; `on:` read as `true` by YAML 1.1
    parsers is understood). Filters such as `branches:` are accepted.

    ## Why is this bad?
    Without `push`, a push does not build the image; without `pull_request`, a pull request
    shows no check status, so a broken change can be merged without anyone seeing it fail.
    `pull_request_target` does not count: it runs the base branch's workflow, not the change.

    ## Example
    ```yaml
    on:
      workflow_dispatch:
      push:
    jobs: ...
    ```

    ## How to fix
    ```yaml
    on:
      push:
      pull_request:
    ```
    """

    code = "GH002"
    name = "workflow-triggers"
    summary = "The CI workflow does not run on both push and pull_request"
    severity = Severity.ERROR
    requirements = ("R13.1", "R13.5")
    bad_examples = (
        WorkflowRule.bad(_PIPELINE.replace("  pull_request:\n", "  workflow_dispatch:\n"), count=1),
        WorkflowRule.bad(
            _PIPELINE.replace("on:\n  push:\n  pull_request:\n", "on: pull_request\n")
        ),
        WorkflowRule.bad("on: [pull_request_target]\njobs: {}\n", count=1),
    )
    good_examples = (
        WorkflowRule.good(_PIPELINE),
        WorkflowRule.good(
            _PIPELINE.replace("on:\n  push:\n  pull_request:\n", "on: [push, pull_request]\n")
        ),
        WorkflowRule.good(
            "%YAML 1.1\n---\non:\n  push:\n    branches: [main]\n  pull_request:\njobs: {}\n"
        ),
    )

    def check_workflow(self, context: Context, workflow: Workflow) -> Iterator[Finding]:
        triggers = workflow.triggers()
        missing = [event for event in ("push", "pull_request") if event not in triggers]
        if not missing:
            return
        key = workflow.on_key
        span = (
            _first_line(workflow)
            if key is None
            else Span(*workflow.key_line_span(workflow.data, key))
        )
        events = " and ".join(f"`{event}`" for event in missing)
        yield self.finding(workflow, span, f"The workflow does not run on {events}")


@register
class FailureHidden(PipelineRule):
    """A job or step of the CI workflow has `continue-on-error: true`.

    ## What it does
    Reports `continue-on-error: true` on a job or step of the workflow (and of the local
    reusable workflows and composite actions it calls). An expression
    (`${{ matrix.experimental }}`) is left alone: it is meant for some runs only.

    ## Why is this bad?
    A failing step then lets its job, and the run, succeed, so the pull request shows a green
    check for a broken build or test (R13.5).

    ## Example
    ```yaml
          - run: pytest
            continue-on-error: true
    ```

    ## How to fix
    Remove `continue-on-error`; mark a step that may fail on purpose with an `if:` instead, or
    move it to a job that is not required.
    """

    code = "GH003"
    name = "failure-hidden"
    summary = "continue-on-error: true lets a failing job or step pass the CI run"
    severity = Severity.WARNING
    requirements = ("R13.5",)
    bad_examples = (
        WorkflowRule.bad(
            _PIPELINE.replace(
                "      - run: pip install -r requirements.txt && pytest\n",
                "      - run: pip install -r requirements.txt && pytest\n"
                "        continue-on-error: true\n",
            ),
            count=1,
        ),
        WorkflowRule.bad(
            _PIPELINE.replace(
                "  test:\n    runs-on:", "  test:\n    continue-on-error: true\n    runs-on:"
            ),
            count=1,
        ),
    )
    good_examples = (
        WorkflowRule.good(_PIPELINE),
        WorkflowRule.good(
            _PIPELINE.replace(
                "  test:\n    runs-on:",
                "  test:\n    continue-on-error: ${{ matrix.experimental }}\n    runs-on:",
            )
        ),
    )

    def check_workflow(self, context: Context, workflow: Workflow) -> Iterator[Finding]:
        seen_jobs: set[tuple[str, str]] = set()
        for item in pipeline_steps(context, workflow):
            step = item.step
            document = step.document
            if isinstance(document, Workflow) and (document.path, step.job) not in seen_jobs:
                seen_jobs.add((document.path, step.job))
                job = mapping_get(document.jobs_mapping, step.job)
                if mapping_get(job, "continue-on-error") is True:
                    span = Span(*document.key_line_span(job, key_of(job, "continue-on-error")))
                    yield self.finding(
                        document, span, f"job {step.job!r} has continue-on-error: true"
                    )
            if mapping_get(step.mapping, "continue-on-error") is True:
                span = Span(*step_span(step, "continue-on-error"))
                yield self.finding(document, span, f"{step.describe()} has continue-on-error: true")


@register
class NoImageBuild(PipelineRule):
    """The CI workflow never builds the Docker image.

    ## What it does
    Looks for a step that builds an image: `docker/build-push-action`, `docker/bake-action`,
    or a `run:` with `docker build`, `docker buildx build`, `docker compose build`,
    `podman build` or `buildah bud`, in the workflow or the local reusable workflows and
    composite actions it calls.

    ## Why is this bad?
    The spec wants every push to build the image (R13.2). Without it, a Dockerfile that no
    longer builds is found at deploy time.

    ## Example
    A workflow whose only job runs `pytest`.

    ## How to fix
    Add a job that builds the image, e.g. with `docker/build-push-action` (`push: false`,
    `load: true`) or `run: docker build -t mami-ai:ci .`.
    """

    code = "GH004"
    name = "no-image-build"
    summary = "The CI workflow never builds the Docker image"
    severity = Severity.ERROR
    requirements = ("R13.2",)
    bad_examples = (
        WorkflowRule.bad(
            "on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-24.04\n"
            "    steps:\n      - run: pytest\n",
            count=1,
        ),
    )
    good_examples = (
        WorkflowRule.good(_PIPELINE),
        WorkflowRule.good(
            {
                ".github/workflows/docker-build.yml": "on: [push, pull_request]\njobs:\n"
                "  build:\n    uses: ./.github/workflows/build.yml\n",
                ".github/workflows/build.yml": "on: workflow_call\njobs:\n  b:\n"
                "    runs-on: ubuntu-24.04\n    steps:\n      - uses: ./.github/actions/image\n",
                ".github/actions/image/action.yml": "name: image\nruns:\n  using: composite\n"
                "  steps:\n    - run: docker buildx build --load -t app .\n      shell: bash\n",
            }
        ),
    )

    def check_workflow(self, context: Context, workflow: Workflow) -> Iterator[Finding]:
        if not any(_builds_image(item) for item in pipeline_steps(context, workflow)):
            yield self.finding(workflow, _jobs_span(workflow), "No step builds the Docker image")


@register
class NoImageTest(PipelineRule):
    """The CI workflow builds the image but never runs it.

    ## What it does
    When the workflow builds an image, looks for a step that runs it: `docker run`,
    `docker exec`, `docker compose up|run|exec`, `podman run` or `container-structure-test`.

    ## Why is this bad?
    An image that builds can still fail to start: a missing module, a wrong user, a CMD that
    exits. The spec wants the image tested (R13.2); a smoke run that waits for the health
    check and calls `/health` catches these before the image is pushed.

    ## Example
    ```yaml
          - run: docker build -t mami-ai:ci .
    ```

    ## How to fix
    Run the built image and probe it:
    ```yaml
          - run: |
              docker run -d --name smoke -p 8000:8000 mami-ai:ci
              sleep 10 && curl -fsS http://localhost:8000/health
    ```
    """

    code = "GH005"
    name = "no-image-test"
    summary = "The CI workflow builds the image but never runs it"
    severity = Severity.WARNING
    requirements = ("R13.2",)
    bad_examples = (
        WorkflowRule.bad(
            _PIPELINE.replace(
                '      - run: docker run --rm mami-ai:ci python -c "import app.main"\n', ""
            ),
            count=1,
        ),
    )
    good_examples = (WorkflowRule.good(_PIPELINE),)

    def check_workflow(self, context: Context, workflow: Workflow) -> Iterator[Finding]:
        steps = list(pipeline_steps(context, workflow))
        builds = [item for item in steps if _builds_image(item)]
        if builds and not any(_runs_image(item) for item in steps):
            step = builds[0].step
            yield self.finding(
                step.document,
                Span(*step_span(step, "uses" if step.uses else "run")),
                "The image is built but never run: add a smoke run that starts it and probes it",
            )


@register
class NoImagePush(PipelineRule):
    """The CI workflow does not log in and push the image to Docker Hub or GHCR.

    ## What it does
    Looks for a step that pushes an image (`docker/build-push-action` with `push:` true or
    an expression, `docker push`, `docker buildx build --push`, `docker compose push`) and a
    login (`docker/login-action`, `docker login`) to Docker Hub or `ghcr.io`. A login to
    another registry is reported; a registry given by an expression is accepted.

    ## Why is this bad?
    The spec wants the workflow to publish the image it tested (R13.3), so the server
    deploys exactly what CI built rather than an image built by hand.

    ## Example
    A workflow that builds with `push: false` and never logs in.

    ## How to fix
    Add a job for the default branch that logs in and pushes:
    ```yaml
      push:
        if: github.event_name == 'push' && github.ref == 'refs/heads/main'
        permissions:
          contents: read
          packages: write
        steps:
          - uses: docker/login-action@<sha> # v3
            with:
              registry: ghcr.io
              username: ${{ github.actor }}
              password: ${{ secrets.GITHUB_TOKEN }}
          - uses: docker/build-push-action@<sha> # v6
            with:
              push: true
              tags: ghcr.io/${{ github.repository_owner }}/mami-ai:latest
    ```
    """

    code = "GH006"
    name = "no-image-push"
    summary = "The CI workflow does not log in and push the image to Docker Hub or GHCR"
    severity = Severity.ERROR
    requirements = ("R13.3",)
    bad_examples = (
        WorkflowRule.bad(
            _PIPELINE.replace("          push: true\n", "          push: false\n"), count=1
        ),
        WorkflowRule.bad(
            _PIPELINE.replace("registry: ghcr.io", "registry: 123.dkr.ecr.eu-west-1.amazonaws.com"),
            count=1,
        ),
        WorkflowRule.bad(
            _PIPELINE.split("      - uses: docker/login-action")[0]
            + "      - run: docker push ghcr.io/me/mami-ai:latest\n",
            count=1,
        ),
    )
    good_examples = (
        WorkflowRule.good(_PIPELINE),
        WorkflowRule.good(_PIPELINE.replace("          registry: ghcr.io\n", "")),
    )

    def check_workflow(self, context: Context, workflow: Workflow) -> Iterator[Finding]:
        steps = list(pipeline_steps(context, workflow))
        pushes = [item for item in steps if _pushes_image(item)]
        if not pushes:
            yield self.finding(
                workflow, _jobs_span(workflow), "No step pushes the image to a registry"
            )
            return
        logins = [(item, _login_registries(item)) for item in steps]
        logins = [(item, registries) for item, registries in logins if registries is not None]
        if not logins:
            step = pushes[0].step
            yield self.finding(
                step.document,
                Span(*step_span(step, "uses" if step.uses else "run")),
                "The image is pushed without a login to Docker Hub or ghcr.io",
            )
            return
        for item, registries in logins:
            for registry in registries:
                if not _registry_accepted(registry):
                    step = item.step
                    key = "with" if step.uses else "run"
                    yield self.finding(
                        step.document,
                        Span(*step_span(step, key)),
                        f"The image is pushed to {registry}, not Docker Hub or ghcr.io",
                    )


@register
class PushFromPullRequest(PipelineRule):
    """The image is pushed on pull requests, not only from the default branch.

    ## What it does
    For each step that pushes an image, checks that it, its job or a calling job has an
    `if:` that keeps it to pushes (mentions `github.ref`, `refs/heads/`, `refs/tags/`,
    `github.event_name` or `default_branch`), when the workflow also runs on pull requests.
    A `push:` input given by an expression is taken as that condition.

    ## Why is this bad?
    The spec wants the image pushed from the default branch (R13.3). A pull request's code
    pushed under the team's tags overwrites the image the server deploys with unreviewed
    code.

    ## Example
    ```yaml
      push:
        runs-on: ubuntu-24.04
        steps:
          - uses: docker/build-push-action@<sha>
            with:
              push: true
    ```

    ## How to fix
    `if: github.event_name == 'push' && github.ref == 'refs/heads/main'` on the job.
    """

    code = "GH007"
    name = "push-from-pull-request"
    summary = "The image is pushed on pull requests, not only from the default branch"
    severity = Severity.ERROR
    requirements = ("R13.3",)
    bad_examples = (
        WorkflowRule.bad(
            _PIPELINE.replace(
                "    if: github.event_name == 'push' && github.ref == 'refs/heads/main'\n", ""
            ),
            count=1,
        ),
    )
    good_examples = (
        WorkflowRule.good(_PIPELINE),
        WorkflowRule.good(
            _PIPELINE.replace(
                "    if: github.event_name == 'push' && github.ref == 'refs/heads/main'\n", ""
            ).replace(
                "          push: true\n", "          push: ${{ github.ref == 'refs/heads/main' }}\n"
            )
        ),
    )

    def check_workflow(self, context: Context, workflow: Workflow) -> Iterator[Finding]:
        triggers = workflow.triggers()
        if not {"pull_request", "pull_request_target"} & set(triggers):
            return
        for item in pipeline_steps(context, workflow):
            if not _pushes_image(item):
                continue
            push_input = mapping_get(item.step.inputs, "push")
            guards = item.conditions + ((push_input,) if isinstance(push_input, str) else ())
            if any(_PUSH_ONLY_RE.search(condition) for condition in guards):
                continue
            step = item.step
            yield self.finding(
                step.document,
                Span(*step_span(step, "uses" if step.uses else "run")),
                f"{step.describe()} pushes the image on pull requests too: "
                "restrict it to the default branch with an `if:`",
            )


@register
class NoDependencyTests(PipelineRule):
    """The CI workflow does not test the Python or the Node dependencies.

    ## What it does
    When the project has Python dependencies (`requirements*.txt`, `pyproject.toml`), looks
    for a step that installs them (`pip install`, `uv sync`, `poetry install`, ...) and a step
    that runs tests (`pytest`, `unittest`, `tox`, `nox`). When it has a `package.json`, looks
    for an install (`npm ci`, `npm install`, `yarn`, `pnpm install`) and a test or build
    (`npm test`, `npm run build`, ...).

    ## Why is this bad?
    The spec wants both dependency sets tested on every push (R13.4): a version conflict or a
    broken upgrade should fail the pull request, not the image build or production.

    ## Example
    A workflow that builds the image but never runs `pip install` and `pytest`.

    ## How to fix
    Add a job per stack, e.g. `pip install -r requirements.txt` then `pytest`, and
    `npm ci` then `npm test` in the frontend's folder.
    """

    code = "GH008"
    name = "no-dependency-tests"
    summary = "The CI workflow does not install and test the Python or Node dependencies"
    severity = Severity.ERROR
    requirements = ("R13.4",)
    bad_examples = (
        WorkflowRule.bad(
            {
                ".github/workflows/docker-build.yml": _PIPELINE.replace(
                    "      - run: npm ci && npm test\n        working-directory: frontend\n", ""
                ),
                "frontend/package.json": "{}\n",
                "requirements.txt": "fastapi==0.115.0\n",
            },
            count=1,
        ),
        WorkflowRule.bad(
            {
                ".github/workflows/docker-build.yml": _PIPELINE.replace(
                    "      - run: pip install -r requirements.txt && pytest\n", ""
                ),
                "requirements.txt": "fastapi==0.115.0\n",
            },
            count=1,
        ),
    )
    good_examples = (
        WorkflowRule.good(
            {
                ".github/workflows/docker-build.yml": _PIPELINE,
                "frontend/package.json": "{}\n",
                "requirements.txt": "fastapi==0.115.0\n",
            }
        ),
        # No package.json: no Node tests are needed.
        WorkflowRule.good(
            {
                ".github/workflows/docker-build.yml": _PIPELINE.replace(
                    "      - run: npm ci && npm test\n        working-directory: frontend\n", ""
                ),
                "requirements.txt": "fastapi==0.115.0\n",
            }
        ),
    )

    def check_workflow(self, context: Context, workflow: Workflow) -> Iterator[Finding]:
        files = context.project.files()
        names = [path.rsplit("/", 1)[-1] for path in files]
        has_python = any(
            name == "pyproject.toml" or (name.startswith("requirements") and name.endswith(".txt"))
            for name in names
        )
        has_node = "package.json" in names
        scripts = [item.step.run for item in pipeline_steps(context, workflow)]

        def found(*patterns: LazyPattern) -> bool:
            return all(any(pattern.search(script) for script in scripts) for pattern in patterns)

        missing = []
        if has_python and not found(_PYTHON_INSTALL_RE, _PYTHON_TEST_RE):
            missing.append("the Python dependencies (install them, then run pytest)")
        if has_node and not found(_NODE_INSTALL_RE, _NODE_TEST_RE):
            missing.append("the Node dependencies (npm ci, then npm test or npm run build)")
        if missing:
            message = "The workflow does not test " + " nor ".join(missing)
            yield self.finding(workflow, _jobs_span(workflow), message)
