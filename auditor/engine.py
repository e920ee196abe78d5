"""Running the selected rules on a project and shaping what they find.

`select_rules` turns the config's selectors into rule classes. `audit` runs them on a Context,
then applies severity overrides, per-file-ignores and suppression comments, keeps only the
findings in scope (the PATHs the user named) and sorts them. A rule that raises does not take
the run down: its failure is recorded (rule, file, error) next to everyone else's findings, and
the CLI exits 3 after reporting them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import TracebackType
from typing import NamedTuple

from auditor.config import Config, ConfigError
from auditor.documents.base import Document
from auditor.project import Project, normalise
from auditor.records import field, record
from auditor.rule import Context, Finding, Rule, RuleRegistry, Severity, registry
from auditor.suppressions import Suppressions, parse_suppressions

Scope = Callable[[str], bool]  # is this relative path one the user asked about?


class RuleFailure(NamedTuple):  # a NamedTuple: cheaper to create at start-up than a dataclass
    """A rule that raised: which one, on which file (when known), and the error."""

    rule: type[Rule]
    path: str | None
    error: BaseException
    traceback: str

    def describe(self) -> str:
        where = f" on {self.path}" if self.path else ""
        error = f"{type(self.error).__name__}: {self.error}"
        return f"rule {self.rule.code} ({self.rule.name}) failed{where}: {error}"


@record
class Audit:
    findings: list[Finding]
    failures: list[RuleFailure] = field(default_factory=list)
    suppressed: int = 0
    # Codes of the rules that asked for documents and got none: they had nothing to check
    # (the readiness report says "not checked" rather than "pass" for them).
    without_input: set[str] = field(default_factory=set)


def select_rules(config: Config, rules: RuleRegistry = registry) -> list[type[Rule]]:
    """The rules `select` + `extend-select` name, minus those `ignore` names (ignore wins);
    online rules only when the config says `online` (the --online option)."""

    def resolve(selectors: Iterable[str], key: str) -> set[type[Rule]]:
        chosen: set[type[Rule]] = set()
        for selector in selectors:
            if not selector.strip():  # a prefix of "" would match every rule
                raise ConfigError(f"{config.source}: {key}: empty rule selector")
            matched = rules.matching(selector)
            if not matched:
                raise ConfigError(f"{config.source}: {key}: unknown rule selector {selector!r}")
            chosen.update(matched)
        return chosen

    selected = resolve(config.select, "select") | resolve(config.extend_select, "extend-select")
    selected -= resolve(config.ignore, "ignore")
    if not config.online:  # rules that need the network run only when asked (--online)
        selected = {rule for rule in selected if not rule.online}
    for pattern, selectors in config.per_file_ignores.items():
        resolve(selectors, f"per-file-ignores.{pattern!r}")  # validate only
    for selector in config.severity:
        resolve([selector], "severity")
    return sorted(selected, key=lambda rule: rule.code)


def audit(
    project: Project,
    config: Config,
    rules: Iterable[type[Rule]],
    *,
    scope: Scope | None = None,
    registry_: RuleRegistry = registry,
) -> Audit:
    context = Context(project, config)
    ordered = sorted(rules, key=lambda rule: (getattr(rule, "runs_last", False), rule.code))
    result = Audit([])
    raw: list[tuple[type[Rule], Finding]] = []
    for rule_class in ordered:
        failed_before = len(result.failures)
        requests, served = project.document_requests, project.documents_served
        produced = _run_rule(rule_class, context, result.failures)
        if project.document_requests > requests and project.documents_served == served:
            result.without_input.add(rule_class.code)
        raw.extend((rule_class, finding) for finding in produced)
        if len(result.failures) == failed_before:
            # A rule that raised may have stopped before a suppressed line: AU003 must not
            # call that suppression unused.
            context.rules_run.add(rule_class.code)
        context.findings_so_far.extend(produced)

    severities = _severity_overrides(config, ordered, registry_)
    ignores = _PerFileIgnores(config, registry_)
    pragmas: dict[str, Suppressions] = {}
    for rule_class, finding in raw:
        clean = normalise(finding.path)
        if clean is not None and clean != finding.path:  # "./Dockerfile" -> "Dockerfile"
            finding = finding._replace(path=clean)
        if scope is not None and not scope(finding.path):
            continue
        if ignores.ignores(finding.path, rule_class):
            continue
        if finding.path not in pragmas:
            document = project.text_document(finding.path)
            pragmas[finding.path] = (
                parse_suppressions(document, registry_) if document else Suppressions()
            )
        if pragmas[finding.path].suppresses(rule_class, finding):
            result.suppressed += 1
            continue
        severity = severities.get(rule_class)
        if severity is not None and severity is not finding.severity:
            finding = finding._replace(severity=severity)
        result.findings.append(finding)
    result.findings.sort(key=lambda finding: finding.sort_key)
    return result


def _run_rule(
    rule_class: type[Rule], context: Context, failures: list[RuleFailure]
) -> list[Finding]:
    """Run one rule, keeping what it found before it failed, if it fails."""
    found: list[Finding] = []
    try:
        for finding in rule_class().check(context):
            found.append(finding)
    except Exception as error:  # a rule bug must not hide everybody else's findings
        import traceback  # only on failure: importing it costs start-up time

        path = _document_in_traceback(error.__traceback__)
        failures.append(RuleFailure(rule_class, path, error, traceback.format_exc()))
    return found


def _document_in_traceback(trace: TracebackType | None) -> str | None:
    """The file a rule was working on when it raised: the innermost Document in its frames."""
    frames = []
    while trace is not None:
        frames.append(trace.tb_frame)
        trace = trace.tb_next
    for frame in reversed(frames):
        for value in frame.f_locals.values():
            if isinstance(value, Document):
                return value.path
    return None


def _severity_overrides(
    config: Config, rules: list[type[Rule]], registry_: RuleRegistry
) -> dict[type[Rule], Severity]:
    """Rule -> overriding severity; a narrower selector beats a broader one (DF001 over DF)."""
    chosen: dict[type[Rule], tuple[int, Severity]] = {}
    for selector, severity in config.severity.items():
        matched = registry_.matching(selector)
        for rule in matched:
            if rule not in chosen or len(matched) <= chosen[rule][0]:
                chosen[rule] = (len(matched), severity)
    return {rule: severity for rule, (_, severity) in chosen.items() if rule in rules}


class _PerFileIgnores:
    """`per-file-ignores`: gitignore-style patterns -> rules silenced there."""

    def __init__(self, config: Config, registry_: RuleRegistry) -> None:
        self._entries = []
        if not config.per_file_ignores:
            return
        from auditor.gitignore_match import GitignoreMatcher

        for pattern, selectors in config.per_file_ignores.items():
            silenced = {rule for selector in selectors for rule in registry_.matching(selector)}
            self._entries.append((GitignoreMatcher.from_lines([pattern]), silenced))

    def ignores(self, path: str, rule: type[Rule]) -> bool:
        return any(rule in silenced and spec.match_file(path) for spec, silenced in self._entries)
