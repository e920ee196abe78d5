"""Logging: records go through the project's get_logger, to stdout and to Elasticsearch."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from auditor.documents.python import PythonModule
from auditor.rule import Context, Finding, Severity, register
from rules.python_source._base import (
    LoggerModuleRule,
    PythonSourceRule,
    app_code,
    calls_in,
    has_main_guard,
    keyword,
    looks_like_an_app,
    primary_settings,
)

_ROOT_LOGGER_CALLS = frozenset(
    {
        "logging.getLogger",
        "logging.debug",
        "logging.info",
        "logging.warning",
        "logging.warn",
        "logging.error",
        "logging.exception",
        "logging.critical",
        "logging.log",
    }
)


def logger_module(context: Context) -> PythonModule | None:
    document = context.project.document(context.expect.logger_module, "python")
    if isinstance(document, PythonModule) and document.tree is not None:
        return document
    return None


@register
class PrintCall(PythonSourceRule):
    """`print()` in application code.

    ## What it does
    Reports calls to the built-in `print` in the app package. Not reported: a `print` with
    an explicit `file=` (a command's own output or error, such as a refusal to start printed
    to stderr), and prints in modules that run as programs (`if __name__ == "__main__":` or
    `__main__.py`), whose output is what the user asked for. ruff's T201 reports every print.

    ## Why is this bad?
    A print bypasses the logging set-up: no level, no timestamp, no JSON, nothing in
    Elasticsearch (R20.1, R20.3), and with a buffered stdout it may not appear in
    `docker logs` at all before a crash.

    ## Example
    ```python
    def create_job(name: str) -> None:
        print(f"creating job {name}")
    ```

    ## How to fix
    ```python
    from app.core.logger import get_logger

    logger = get_logger(__name__)

    def create_job(name: str) -> None:
        logger.info("creating job %s", name)
    ```
    """

    code = "PS011"
    name = "print-call"
    summary = "print() in application code instead of the logger"
    severity = Severity.WARNING
    requirements = ("R20.1",)
    peers = ("T201",)
    bad_examples = (
        PythonSourceRule.bad(
            "def create_job(name: str) -> None:\n    print(f'creating job {name}')\n", count=1
        ),
    )
    good_examples = (
        PythonSourceRule.good(
            "import sys\n\ndef refuse(reason: str) -> int:\n"
            "    print(reason, file=sys.stderr)\n    return 2\n"
        ),
        PythonSourceRule.good(
            {
                "app/selfcheck.py": "def main() -> None:\n    print('ok')\n\n"
                "if __name__ == '__main__':\n    main()\n"
            }
        ),
        PythonSourceRule.good("def print(*args): ...\n\nprint('shadowed')\n"),
        PythonSourceRule.good({"build.py": "print('a script, not an app')\n"}),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        if not looks_like_an_app(context):
            return
        code = app_code(context)
        for document in code.app_modules:
            if "print" in document.top_level_names or has_main_guard(document):
                continue
            for call in calls_in(document, "print("):
                if not isinstance(call.func, ast.Name) or call.func.id != "print":
                    continue
                if keyword(call, "file") is not None:
                    continue
                logger = context.expect.logger_function
                yield self.finding(
                    document,
                    document.span_of(call),
                    f"print() bypasses logging (no level, not shipped to Elasticsearch); use "
                    f"{logger}(__name__) from {context.expect.logger_module}",
                )


@register
class LoggerNotFromGetLogger(PythonSourceRule):
    """A logger made with `logging.getLogger` (or the root logger used) outside the logger module.

    ## What it does
    Reports `logging.getLogger(...)` and the module-level `logging.info(...)`-style calls in
    the app package, except in the logger module itself (`logger-module`, default
    `app/core/logger.py`), which is where they belong. Silent when that module does not
    define `get_logger` (`logger-function`): PS013 reports that first.

    ## Why is this bad?
    The spec wants every log record created through `get_logger()` (R20.1), which makes sure
    the stdout and Elasticsearch handlers are installed before the first record. A logger
    made elsewhere works only if something else configured logging first, and the root
    logger's `logging.info` writes through whatever handlers an imported library installed.

    ## Example
    ```python
    import logging

    logger = logging.getLogger(__name__)
    ```

    ## How to fix
    ```python
    from app.core.logger import get_logger

    logger = get_logger(__name__)
    ```
    """

    code = "PS012"
    name = "logger-not-from-get-logger"
    summary = "logging.getLogger or root-logger calls outside the project's logger module"
    severity = Severity.WARNING
    requirements = ("R20.1",)
    bad_examples = (
        PythonSourceRule.bad(
            {
                "app/core/logger.py": "import logging\n\ndef get_logger(name):\n"
                "    return logging.getLogger(name)\n",
                "app/main.py": "import logging\nfrom logging import getLogger\n\n"
                "logger = logging.getLogger(__name__)\nother = getLogger('x')\n"
                "logging.info('started')\n",
            },
            count=3,
        ),
    )
    good_examples = (
        PythonSourceRule.good(
            {
                "app/core/logger.py": "import logging\n\ndef get_logger(name):\n"
                "    return logging.getLogger(name)\n",
                "app/main.py": "from app.core.logger import get_logger\n\n"
                "logger = get_logger(__name__)\n",
            }
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        logger = logger_module(context)
        function = context.expect.logger_function
        if logger is None or function not in logger.top_level_names:
            return
        code = app_code(context)
        for document in code.app_modules:
            if document.path == logger.path:
                continue
            for call in calls_in(document, "logging", "getLogger"):
                name = code.qualified(document, call.func)
                if name not in _ROOT_LOGGER_CALLS:
                    continue
                what = "logging.getLogger()" if name == "logging.getLogger" else f"{name}()"
                yield self.finding(
                    document,
                    document.span_of(call),
                    f"{what} bypasses {function}() from {logger.path}, which installs the "
                    "stdout and Elasticsearch handlers",
                )


@register
class MissingLoggerModule(PythonSourceRule):
    """The logger module or its `get_logger` function is missing.

    ## What it does
    Checks that the app has the logger module (`logger-module`, default `app/core/logger.py`)
    and that it defines the logger function (`logger-function`, default `get_logger`).
    Reported on the settings module (or the app's first module) when the file is missing.
    Silent for a project with no app package.

    ## Why is this bad?
    The spec wants every module to obtain its logger through one function (R20.1): the one
    place where stdout and Elasticsearch handlers are installed and configured from Settings.

    ## Example
    An app whose modules all call `logging.getLogger(__name__)` and that has no
    `app/core/logger.py`.

    ## How to fix
    Create the module with `def get_logger(name: str) -> logging.Logger`, which installs the
    handlers once (stdout, Elasticsearch when configured) and returns
    `logging.getLogger(name)`; then use it everywhere.
    """

    code = "PS013"
    name = "missing-logger-module"
    summary = "The logger module or its get_logger function is missing"
    severity = Severity.WARNING
    requirements = ("R20.1",)
    bad_examples = (
        PythonSourceRule.bad(
            {"app/main.py": "import logging\n\nlog = logging.getLogger()\n"}, count=1
        ),
        PythonSourceRule.bad(
            {
                "app/core/logger.py": "import logging\n\ndef make_logger(name):\n"
                "    return logging.getLogger(name)\n"
            },
            count=1,
        ),
    )
    good_examples = (
        PythonSourceRule.good(
            {
                "app/core/logger.py": "import logging\n\ndef get_logger(name):\n"
                "    return logging.getLogger(name)\n"
            }
        ),
        PythonSourceRule.good({"tools/run.py": "print('no app package here')\n"}),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        code = app_code(context)
        if code.app_package is None or not code.app_modules:
            return
        expected, function = context.expect.logger_module, context.expect.logger_function
        document = context.project.document(expected, "python")
        if isinstance(document, PythonModule):
            if document.tree is None or function in document.top_level_names:
                return  # a parse error is AU001's
            yield self.finding(
                document,
                document.line_span(1),
                f"{expected} defines no {function}(); the app's modules should obtain their "
                "loggers through it (R20.1)",
            )
            return
        settings = primary_settings(context)
        where = next((d for d in code.app_modules if settings and d.path == settings.path), None)
        where = where or code.app_modules[0]
        yield self.finding(
            where,
            where.line_span(1),
            f"No {expected} with {function}(): nothing sets up logging to stdout and "
            "Elasticsearch in one place (R20.1)",
        )


def _writes_to_stdout(document: PythonModule) -> bool:
    for call in calls_in(document, "stdout"):
        if isinstance(call.func, (ast.Name, ast.Attribute)):
            for argument in [*call.args, *(k.value for k in call.keywords)]:
                if (
                    isinstance(argument, ast.Attribute)
                    and argument.attr == "stdout"
                    and isinstance(argument.value, ast.Name)
                    and argument.value.id == "sys"
                ):
                    return True
    return False


@register
class NoStdoutLogHandler(LoggerModuleRule):
    """The logger module installs no handler writing to stdout.

    ## What it does
    Looks in the logger module (`logger-module`) for a handler or logging set-up given
    `sys.stdout`: `StreamHandler(sys.stdout)`, `logging.basicConfig(stream=sys.stdout)`, ...
    A bare `StreamHandler()` writes to stderr and does not count.

    ## Why is this bad?
    Docker collects a container's stdout; the spec wants every record there (R20.2), so
    `docker logs` and any log collector see the same stream the app writes.

    ## Example
    ```python
    def get_logger(name):
        handler = logging.FileHandler("app.log")
        ...
    ```

    ## How to fix
    ```python
    handler = logging.StreamHandler(sys.stdout)
    ```
    """

    code = "PS014"
    name = "no-stdout-log-handler"
    summary = "The logger module installs no handler writing to stdout"
    severity = Severity.WARNING
    requirements = ("R20.2",)
    bad_examples = (
        LoggerModuleRule.bad(
            "import logging\n\ndef get_logger(name):\n"
            "    logging.getLogger().addHandler(logging.StreamHandler())\n"
            "    return logging.getLogger(name)\n",
            count=1,
        ),
    )
    good_examples = (
        LoggerModuleRule.good(
            "import logging\nimport sys\n\ndef get_logger(name):\n"
            "    logging.basicConfig(stream=sys.stdout)\n"
            "    return logging.getLogger(name)\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        document = logger_module(context)
        if document is None or _writes_to_stdout(document):
            return
        yield self.finding(
            document,
            document.line_span(1),
            "No log handler writes to sys.stdout here, so Docker does not collect the app's "
            "records (R20.2); add logging.StreamHandler(sys.stdout)",
        )


@register
class NoElasticsearchLogging(LoggerModuleRule):
    """Logs are not shipped to Elasticsearch, or the target is not configurable.

    ## What it does
    Checks that the logger module (`logger-module`) ships records to Elasticsearch (it
    mentions Elasticsearch: a handler, a client, a `_bulk` URL) and that the Settings class
    has a field for where to send them (a field whose name contains `ELASTICSEARCH`).
    Silent when there is no logger module (PS013 reports that).

    ## Why is this bad?
    The spec wants all application logs in Elasticsearch, to be viewed in Kibana or Grafana
    (R10.4, R20.3). An address written into the code cannot point at the Compose service in
    one place and a managed cluster in another.

    ## Example
    A logger module that only installs a stdout handler, with no `ELASTICSEARCH_URL` setting.

    ## How to fix
    Add `ELASTICSEARCH_URL: str | None = None` to Settings and, when it is set, a handler
    that sends records to `<url>/<index>/_bulk` from a background thread (so a slow
    Elasticsearch never blocks a request).
    """

    code = "PS015"
    name = "no-elasticsearch-logging"
    summary = "Logs are not shipped to Elasticsearch, or its address is not a setting"
    severity = Severity.WARNING
    requirements = ("R10.4", "R20.3")
    bad_examples = (
        LoggerModuleRule.bad(
            {
                "app/core/logger.py": "import logging\nimport sys\n\ndef get_logger(name):\n"
                "    logging.basicConfig(stream=sys.stdout)\n"
                "    return logging.getLogger(name)\n",
                "app/config.py": "from pydantic_settings import BaseSettings\n\n"
                "class Settings(BaseSettings):\n    LOG_LEVEL: str = 'INFO'\n",
            },
            count=1,
        ),
        LoggerModuleRule.bad(
            {
                "app/core/logger.py": "import logging\nfrom elasticsearch import Elasticsearch\n\n"
                "CLIENT = Elasticsearch('http://elasticsearch:9200')\n\n"
                "def get_logger(name):\n    return logging.getLogger(name)\n",
                "app/config.py": "from pydantic_settings import BaseSettings\n\n"
                "class Settings(BaseSettings):\n    LOG_LEVEL: str = 'INFO'\n",
            },
            count=1,
        ),
    )
    good_examples = (
        LoggerModuleRule.good(
            {
                "app/core/logger.py": "import logging\n\n"
                "class ElasticsearchHandler(logging.Handler):\n"
                "    ...\n\ndef get_logger(name):\n    return logging.getLogger(name)\n",
                "app/config.py": "from pydantic_settings import BaseSettings\n\n"
                "class Settings(BaseSettings):\n    ELASTICSEARCH_URL: str | None = None\n",
            }
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        document = logger_module(context)
        if document is None:
            return
        ships = "elasticsearch" in document.text.lower()
        settings = primary_settings(context)
        configurable = settings is not None and any(
            "ELASTICSEARCH" in name.upper() for name in settings.fields
        )
        if ships and (configurable or settings is None):
            return
        if not ships:
            message = "Records are never shipped to Elasticsearch from here (R10.4, R20.3)"
        else:
            assert settings is not None
            message = (
                f"The Elasticsearch address is not a setting: {settings.name} "
                f"({settings.path}) has no ELASTICSEARCH_* field (R10.4)"
            )
        yield self.finding(document, document.line_span(1), message)
