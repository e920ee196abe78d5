"""Which distributions are listed: deprecated or renamed ones, and dev tools in production."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import NamedTuple

from auditor.documents.requirements import RequirementsFile
from auditor.rule import Context, Edit, Finding, Fix, Span, register
from rules.python_deps._base import DependencyRule, editable_line, replace_requirement
from rules.python_deps._model import (
    DependencyModel,
    Entry,
    dependency_model,
    documents_read,
)

# Where projects keep the requirements of developers and CI, next to the production file.
_DEV_FILE_NAMES = ("requirements-dev.txt", "dev-requirements.txt", "requirements_dev.txt")


class Successor(NamedTuple):
    name: str
    reason: str


# A small table kept by hand: distributions whose own maintainers deprecated, renamed or
# replaced them. Keys are PEP 503 names.
DEPRECATED: dict[str, Successor] = {
    "google-generativeai": Successor(
        "google-genai",
        "Google deprecated the google-generativeai SDK and ended its support; google-genai is "
        "its successor, with a different API (`from google import genai`, `genai.Client`)",
    ),
    "sklearn": Successor(
        "scikit-learn",
        "the `sklearn` distribution is a deprecated placeholder that now refuses to install",
    ),
    "pycrypto": Successor(
        "pycryptodome",
        "pycrypto has been unmaintained since 2013 and has known vulnerabilities",
    ),
    "aioredis": Successor(
        "redis",
        "aioredis was merged into redis-py 4.2 as `redis.asyncio` and is no longer maintained",
    ),
    "msgpack-python": Successor("msgpack", "the distribution was renamed to msgpack"),
    "tensorflow-gpu": Successor(
        "tensorflow", "tensorflow-gpu was removed; the tensorflow distribution includes GPU support"
    ),
    "bs4": Successor("beautifulsoup4", "bs4 is an unofficial placeholder for beautifulsoup4"),
}


@register
class DeprecatedDistribution(DependencyRule):
    """Reports a deprecated or renamed distribution and names its successor.

    ## What it does
    Reports requirements on distributions their maintainers deprecated, renamed or
    replaced: `google-generativeai` (use `google-genai`), `sklearn` (`scikit-learn`),
    `pycrypto` (`pycryptodome`), `aioredis` (`redis`), `msgpack-python` (`msgpack`),
    `tensorflow-gpu` (`tensorflow`), `bs4` (`beautifulsoup4`), with the reason.

    ## Why is this bad?
    A deprecated distribution gets no fixes, security ones included, and stops working
    with newer services or Pythons; the Gemini API's old SDK lacks the current models.

    ## Example
    ```text
    google-generativeai==0.8.3
    ```

    ## How to fix
    Depend on the successor and port the code to its API. The fix (unsafe: the API
    differs, the code must change too) replaces the name, drops the old version and extras
    (they do not apply to the successor) and keeps the marker and comment; pin the
    successor's version afterwards.
    """

    code = "PY009"
    name = "deprecated-distribution"
    summary = "A deprecated or renamed distribution (google-generativeai -> google-genai)"
    requirements = ("R8.2",)
    fixable = True
    bad_examples = (
        DependencyRule.bad(
            "google-generativeai==0.8.3  # Gemini\nredis==5.0.8\n",
            "google-genai  # Gemini\nredis==5.0.8\n",
            count=1,
            unsafe=True,
        ),
        DependencyRule.bad(
            "aioredis>=2 ; python_version >= '3.8'\n",
            "redis ; python_version >= '3.8'\n",
            count=1,
            unsafe=True,
        ),
        DependencyRule.bad(
            {
                "pyproject.toml": '[project]\nname = "x"\nversion = "1"\n'
                'dependencies = ["sklearn"]\n'
            },
            count=1,
        ),
    )
    good_examples = (DependencyRule.good("google-genai==1.2.0\nscikit-learn==1.5.2\n"),)

    def check(self, context: Context) -> Iterator[Finding]:
        model = dependency_model(context)
        for document in documents_read(model):
            for requirement in document.requirements:
                successor = DEPRECATED.get(requirement.name or "")
                if successor is None:
                    continue
                entry = Entry(document, requirement, False)
                fix = None
                if editable_line(entry) and requirement.url is None:
                    marker = requirement.text.partition(";")[2]
                    text = successor.name + (f" ;{marker}" if marker else "")
                    fix = Fix.unsafe(
                        f"Replace {requirement.written_name} with {successor.name}",
                        replace_requirement(entry, text),
                    )
                yield self.finding(
                    document, entry.span(),
                    f"{requirement.written_name} is deprecated: {successor.reason}; "
                    f"use {successor.name}",
                    fix,
                )  # fmt: skip


# Tools for developing and testing, never imported by a running service. Exact PEP 503
# names, and prefixes for plugin families.
DEV_TOOLS = frozenset(
    {
        "pytest", "coverage", "black", "ruff", "flake8", "pylint", "mypy", "isort",
        "pre-commit", "tox", "nox", "ipython", "ipdb", "pdbpp", "jupyter", "jupyterlab",
        "notebook", "bandit", "pyright", "autopep8", "yapf", "pip-tools", "deptry",
        "pip-audit", "hypothesis", "pytest-cov", "pytest-asyncio", "pytest-mock",
        "django-debug-toolbar", "mami-audit", "pyflakes", "pycodestyle", "pydocstyle",
    }
)  # fmt: skip
DEV_TOOL_PREFIXES = ("pytest-", "types-", "flake8-", "mypy-")


def is_dev_tool(name: str) -> bool:
    return name in DEV_TOOLS or name.startswith(DEV_TOOL_PREFIXES)


@register
class DevToolInProduction(DependencyRule):
    """Reports a test, lint or debugging tool in the requirements the image installs.

    ## What it does
    Reports test runners, linters, type checkers, debuggers and notebooks (pytest and its
    plugins, coverage, black, ruff, flake8, mypy, type stubs, pre-commit, ipython, ipdb,
    jupyter, ...) among the requirements the image installs (the files of the Dockerfile's
    `pip install -r`, or `requirements.txt` when no Dockerfile names one).

    ## Why is this bad?
    They make the image larger and slower to build, widen its attack surface (debuggers,
    notebook servers), and their own pins conflict with the application's.

    ## Example
    ```text
    fastapi==0.115.0
    pytest==8.3.3
    ```

    ## How to fix
    Move them to `requirements-dev.txt` (starting with `-r requirements.txt`), which CI and
    developers install and the image does not. The fix does that: it moves the line (with
    its comment) into the dev requirements file next to the production one
    (`requirements-dev.txt`, `dev-requirements.txt`, `requirements_dev.txt`, or `dev.txt`
    in a `requirements/` folder), creating `requirements-dev.txt` with
    `-r requirements.txt` when there is none; a tool the dev file already lists is only
    removed from production. It is unsafe: whatever installs the production file alone (a
    CI job running the tests, a script in the image) no longer gets the tool, so make it
    install the dev file. No fix when the image itself installs the dev file, nor for a
    line with `--hash` (compile both files again).
    """

    code = "PY010"
    name = "dev-tool-in-production"
    summary = "A test, lint or debugging tool among the image's requirements"
    fixable = True
    bad_examples = (
        DependencyRule.bad(
            "redis==5.0.8\npytest==8.3.3  # tests\ntypes-redis==4.6.0\n",
            {
                "requirements.txt": "redis==5.0.8\n",
                "requirements-dev.txt": "-r requirements.txt\npytest==8.3.3  # tests\n"
                "types-redis==4.6.0\n",
            },
            count=2,
            unsafe=True,
        ),
        DependencyRule.bad(
            {
                "requirements.txt": "redis==5.0.8\nruff==0.6.9",
                "requirements-dev.txt": "-r requirements.txt\npytest==8.3.3",
            },
            {
                "requirements.txt": "redis==5.0.8",
                "requirements-dev.txt": "-r requirements.txt\npytest==8.3.3\nruff==0.6.9\n",
            },
            count=1,
            unsafe=True,
        ),
        DependencyRule.bad(
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY requirements/ requirements/\n"
                "RUN pip install --no-cache-dir -r requirements/prod.txt\n",
                "requirements/prod.txt": "redis==5.0.8\npytest==8.3.3\n",
                "requirements/dev.txt": "-r prod.txt\npytest==8.3.3\n",
            },
            {"requirements/prod.txt": "redis==5.0.8\n"},
            count=1,
            unsafe=True,
        ),
    )
    good_examples = (
        DependencyRule.good(
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\n"
                "RUN pip install --no-cache-dir -r requirements.txt\n",
                "requirements.txt": "redis==5.0.8\n",
                "requirements-dev.txt": "-r requirements.txt\npytest==8.3.3\n",
            }
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        for install_set, entry in dependency_model(context).production_entries():
            name = entry.requirement.name
            if name and is_dev_tool(name):
                yield self.finding(
                    entry.document, entry.span(),
                    f"{entry.requirement.written_name} is a development tool, installed into "
                    f"the image by {install_set.described}: move it to a dev requirements file",
                    _move_to_dev_file(context, dependency_model(context), entry),
                )  # fmt: skip


def _dev_file(
    context: Context, model: DependencyModel, production: str
) -> tuple[str, RequirementsFile | None] | None:
    """The dev requirements file beside `production` (None for "create it"), or None when
    the only candidate is one the image installs or one that does not parse."""
    folder = posixpath.dirname(production)
    names = list(_DEV_FILE_NAMES)
    if posixpath.basename(folder) == "requirements":
        names.insert(0, "dev.txt")
    installed = {document.path for s in model.production_sets() for document in s.documents}
    for name in names:
        path = posixpath.join(folder, name)
        if not context.project.exists(path):
            continue
        document = context.project.document(path, "requirements")
        if path in installed or not isinstance(document, RequirementsFile):
            return None
        return (path, document) if document.parse_error is None else None
    return posixpath.join(folder, names[0]), None


def _move_to_dev_file(context: Context, model: DependencyModel, entry: Entry) -> Fix | None:
    document = entry.document
    if not editable_line(entry) or not isinstance(document, RequirementsFile):
        return None
    if entry.requirement.hashes:
        return None  # a hashed line in an unhashed dev file would make pip refuse it
    target = _dev_file(context, model, document.path)
    if target is None or target[0] == document.path:
        return None
    path, dev = target
    requirement = entry.requirement
    line = document.lines[requirement.line - 1].rstrip("\r").strip()
    edits = [_delete_line(document, requirement.line)]
    if dev is None:
        include = posixpath.relpath(document.path, posixpath.dirname(path) or ".")
        edits.append(Edit.create_file(path, f"-r {include}\n{line}\n"))
    elif not any(other.name == requirement.name for other in dev.requirements):
        last = len(dev.lines)
        separator = "" if dev.text.endswith("\n") or not dev.text else "\n"
        edits.append(Edit.insert(path, last, dev.line_length(last) + 1, f"{separator}{line}\n"))
    return Fix.unsafe(
        f"Move {requirement.written_name} to {path}: whatever installs "
        f"{document.path} alone (CI running the tests) must install {path} instead",
        *edits,
    )


def _delete_line(document: RequirementsFile, line: int) -> Edit:
    """Delete a physical line with its line end (the previous one's for the last line)."""
    if line < len(document.lines):
        return Edit.delete_text(document.path, Span(line, 1, line + 1, 1))
    length = document.line_length(line) + 1
    if line == 1:
        return Edit.delete_text(document.path, Span(1, 1, 1, length))
    previous = line - 1
    return Edit.delete_text(
        document.path, Span(previous, document.line_length(previous) + 1, line, length)
    )
