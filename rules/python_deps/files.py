"""Requirements files pip cannot read as a whole: bad lines, broken includes, secrets."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.documents.requirements import (
    URL_OPTIONS,
    RequirementsFile,
    mask_credentials,
)
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Finding, Severity, Span, register
from rules.python_deps._base import DependencyRule
from rules.python_deps._model import dependency_model, documents_read

_PASSWORD_RE = LazyPattern(r"://[^/@:\s]*:([^/@\s]+)@")


@register
class InvalidRequirement(DependencyRule):
    """Reports a requirements line, or a pyproject dependency, that pip cannot parse.

    ## What it does
    Reads every requirements file (and every `[project]` dependency of a pyproject.toml) the
    way pip does, and reports each line pip would refuse: a requirement that is not valid
    PEP 508, an option pip does not know, an option missing its value. The other lines are
    still checked.

    ## Why is this bad?
    pip stops at the first such line, so the image build fails there (R1.1), and every
    requirement after it is never installed.

    ## Example
    ```text
    fastapi==0.115.0
    uvicorn = 0.30.3
    ```

    ## How to fix
    Write the requirement as `name==version` (PEP 508), or remove the line.
    """

    code = "PY001"
    name = "invalid-requirement"
    summary = "A requirements line pip cannot parse"
    severity = Severity.ERROR
    requirements = ("R1.1",)
    bad_examples = (
        DependencyRule.bad("fastapi==0.115.0\nuvicorn = 0.30.3\n", count=1),
        DependencyRule.bad("--frobnicate\nredis==5.0.0\n", count=1),
        DependencyRule.bad(
            {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["fastapi ==="]\n'},
            count=1,
        ),
    )
    good_examples = (
        DependencyRule.good(
            "fastapi==0.115.0  # API\nuvicorn[standard]==0.30.3 ; python_version >= '3.8'\n"
            "-e git+https://example.com/repo.git#egg=tool\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        for document in documents_read(dependency_model(context)):
            for problem in document.problems:
                end = document.line_length(problem.end_line) + 1
                span = Span(problem.line, problem.column, problem.end_line, max(end, 1))
                yield self.finding(document, span, problem.message)


@register
class BrokenInclude(DependencyRule):
    """Reports a `-r`/`-c` include that names a missing file, leaves the project, or loops.

    ## What it does
    Follows every `-r FILE` and `-c FILE` of a requirements file (relative to that file's
    folder, as pip does) and reports an include whose file does not exist, one outside the
    project (an absolute path or one climbing above the root, which the Docker build
    context cannot hold either), and an include cycle (`-r b.txt` in a.txt and `-r a.txt` in
    b.txt).

    ## Why is this bad?
    pip fails on a missing file, so the build fails (R1.1); a file outside the project is
    not in the build context and is not audited; a cycle only works by accident of pip's
    version.

    ## Example
    ```text
    -r base.txt
    ```

    ## How to fix
    Point the include at a file inside the project, or remove it; break the cycle by moving
    the shared requirements into one file both include.
    """

    code = "PY002"
    name = "broken-include"
    summary = "A -r/-c include names a missing file, one outside the project, or loops"
    severity = Severity.ERROR
    requirements = ("R1.1",)
    bad_examples = (
        DependencyRule.bad("-r base.txt\nfastapi==0.115.0\n", count=1),
        DependencyRule.bad({"requirements.txt": "-r /etc/requirements.txt\n"}, count=1),
        DependencyRule.bad(
            {"requirements.txt": "-r dev.txt\n", "dev.txt": "-r requirements.txt\n"}, count=1
        ),
    )
    good_examples = (
        DependencyRule.good(
            {
                "requirements.txt": "-r requirements/base.txt\n-c constraints.txt\n",
                "requirements/base.txt": "redis==5.0.0\n",
                "constraints.txt": "redis<6\n",
            }
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        for problem in dependency_model(context).include_problems:
            span = problem.document.line_span(problem.option.line, problem.option.end_line)
            yield self.finding(problem.document, span, problem.message)


@register
class CredentialsInRequirements(DependencyRule):
    """Reports a password or token written into an index URL or requirement URL.

    ## What it does
    Looks at `--index-url`, `--extra-index-url`, `--find-links` and requirement URLs of the
    requirements files for `user:password@` written out. The finding masks the password; a
    `${VARIABLE}` in its place (pip expands environment variables) is fine.

    ## Why is this bad?
    The file is committed and copied into the image's build context and layers: anyone who
    can read the repository or pull the image has the credential.

    ## Example
    ```text
    --index-url https://ci:s3cret@pypi.example.com/simple
    ```

    ## How to fix
    Use `${PIP_PASSWORD}` (pip expands it), or pass the index URL as a build secret
    (`RUN --mount=type=secret`), and rotate the leaked credential.
    """

    code = "PY011"
    name = "credentials-in-requirements"
    summary = "A password or token written into a requirements URL"
    severity = Severity.ERROR
    bad_examples = (
        DependencyRule.bad(
            "--index-url https://ci:s3cret@pypi.example.com/simple\nredis==5.0.0\n", count=1
        ),
    )
    good_examples = (
        DependencyRule.good(
            "--index-url https://ci:${PIP_PASSWORD}@pypi.example.com/simple\nredis==5.0.0\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        for document in documents_read(dependency_model(context)):
            if not isinstance(document, RequirementsFile):
                continue
            for option in document.options:
                if option.name in URL_OPTIONS and _has_password(option.value or ""):
                    yield self._found(document, option.line, option.end_line, option.value or "")
            for requirement in document.requirements:
                if requirement.url and _has_password(requirement.url):
                    yield self._found(
                        document, requirement.line, requirement.end_line, requirement.url
                    )

    def _found(self, document: RequirementsFile, line: int, end: int, url: str) -> Finding:
        message = (
            f"credentials written into {mask_credentials(url)}: use an environment variable "
            "(${PIP_PASSWORD}) or a build secret, and rotate this one"
        )
        return self.finding(document, document.line_span(line, end), message)


def _has_password(url: str) -> bool:
    found = _PASSWORD_RE.search(url)
    return bool(found) and not found.group(1).startswith("${")
