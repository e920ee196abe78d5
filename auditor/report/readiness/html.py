"""The html format of the readiness report: one self-contained page.

Everything is inline (CSS, a small script, no font, image or CDN), and a Content Security
Policy of `default-src 'none'` makes the browser refuse any request the page might try, so
it opens the same from a CI artifact, an e-mail or a laptop offline. The page works without
the script (criteria and findings are plain HTML, failing ones in `<details>`); the script
adds the status and requirement filters and the light/dark switch. Layout: one column on a
phone, the chart beside the criteria on a wide screen. Every control is a native button,
checkbox, select or summary, so the keyboard reaches all of it.

The numbers on the page come from the same computation as the json format's
(`json_report.report_to_json`), and tests/report/test_readiness_html.py checks in Chromium
that they match.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any, TextIO

from auditor.documents.base import SourceFile
from auditor.readiness import Status, percent
from auditor.report.readiness import ReadinessReport
from auditor.report.readiness.json_report import report_to_json
from auditor.report.readiness.summary import headline
from auditor.report.sanitize import inline

MAX_SOURCE_LINES = 6  # a longer span shows its first lines and says how many follow

_CSS = """
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e;
  --card: #f6f8fa; --line: #d1d9e0; --pass: #1a7f37; --fail: #cf222e; --not-checked: #9a6700;
  --runtime-only: #0969da; --focus: #0969da; --badge-fg: #ffffff; }
:root[data-theme="dark"] { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --card: #151b23;
  --line: #3d444d; --pass: #3fb950; --fail: #f85149; --not-checked: #d29922;
  --runtime-only: #4493f8; --focus: #4493f8; --badge-fg: #0d1117; }
@media (prefers-color-scheme: dark) { :root:not([data-theme="light"]) { --bg: #0d1117;
  --fg: #e6edf3; --muted: #9198a1; --card: #151b23; --line: #3d444d; --pass: #3fb950;
  --fail: #f85149; --not-checked: #d29922; --runtime-only: #4493f8; --focus: #4493f8;
  --badge-fg: #0d1117; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); overflow-wrap: anywhere;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
header, main, aside { padding: 0 16px; }
header { border-bottom: 1px solid var(--line); padding-top: 8px; padding-bottom: 8px; }
h1 { font-size: 1.5rem; margin: 8px 0; }
h2 { font-size: 1.15rem; margin: 20px 0 8px; }
.layout { display: block; }
@media (min-width: 960px) { .layout { display: grid; grid-template-columns: 340px 1fr; gap: 24px; }
  aside { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow: auto; } }
.muted, .reason { color: var(--muted); }
.counts { display: flex; flex-wrap: wrap; gap: 8px; padding: 0; margin: 8px 0; list-style: none; }
.counts li { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 2px 8px; }
.badge { display: inline-block; min-width: 7.5em; font-size: .8rem; font-weight: 600;
  border-radius: 10px; padding: 0 8px; color: var(--badge-fg); text-align: center; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); }
.badge.not-checked { background: var(--not-checked); } .badge.runtime-only { background: var(--runtime-only); }
.chart { list-style: none; padding: 0; margin: 0; }
.chart li { display: grid; grid-template-columns: 1fr 3.5em; gap: 2px 8px; margin: 6px 0; }
.chart a { color: inherit; grid-column: 1 / 3; font-size: .85rem; }
.bar { display: flex; height: 12px; background: var(--card); border: 1px solid var(--line); border-radius: 4px; overflow: hidden; }
.bar span { display: block; height: 100%; }
.bar .pass { background: var(--pass); } .bar .fail { background: var(--fail); }
.bar .not-checked { background: var(--not-checked); } .bar .runtime-only { background: var(--runtime-only); opacity: .5; }
.pct { font-variant-numeric: tabular-nums; text-align: right; }
fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; }
fieldset label { display: inline-block; margin-right: 12px; }
select { max-width: 100%; }
select, button { font: inherit; color: var(--fg); background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 4px 8px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.criteria { list-style: none; padding: 0; margin: 0; }
.criterion { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 6px 10px; background: var(--card); }
.criterion summary { cursor: pointer; }
.criterion .reason { margin: 4px 0 0; font-size: .9rem; }
.findings { padding-left: 18px; }
.findings li { margin: 6px 0; }
pre { overflow-x: auto; background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: 6px; margin: 4px 0; font-size: .85rem; }
code { font-size: .9em; }
[hidden] { display: none !important; }
"""

_SCRIPT = """
(function () {
  var root = document.documentElement;
  var themeButton = document.getElementById('theme');
  function dark() {
    var chosen = root.getAttribute('data-theme');
    return chosen ? chosen === 'dark' : window.matchMedia('(prefers-color-scheme: dark)').matches;
  }
  function showTheme() {
    themeButton.textContent = dark() ? 'Light theme' : 'Dark theme';
    themeButton.setAttribute('aria-pressed', dark() ? 'true' : 'false');
  }
  themeButton.addEventListener('click', function () {
    root.setAttribute('data-theme', dark() ? 'light' : 'dark');
    showTheme();
  var query = window.matchMedia('(prefers-color-scheme: dark)');
  if (query.addEventListener) { query.addEventListener('change', showTheme); }
  });
  showTheme();
  var query = window.matchMedia('(prefers-color-scheme: dark)');
  if (query.addEventListener) { query.addEventListener('change', showTheme); }

  var statusBoxes = Array.prototype.slice.call(document.querySelectorAll('input[name="status"]'));
  var requirementSelect = document.getElementById('requirement-filter');
  var criteria = Array.prototype.slice.call(document.querySelectorAll('.criterion'));
  var sections = Array.prototype.slice.call(document.querySelectorAll('section.requirement'));
  var shown = document.getElementById('shown');
  function applyFilters() {
    var statuses = {};
    statusBoxes.forEach(function (box) { statuses[box.value] = box.checked; });
    var requirement = requirementSelect.value;
    var visible = 0;
    criteria.forEach(function (item) {
      var show = statuses[item.dataset.status] &&
        (requirement === '' || item.dataset.requirement === requirement);
      item.hidden = !show;
      if (show) { visible += 1; }
    });
    sections.forEach(function (section) {
      section.hidden = !section.querySelector('.criterion:not([hidden])');
    });
    shown.textContent = 'Showing ' + visible + ' of ' + criteria.length + ' criteria';
  }
  statusBoxes.forEach(function (box) { box.addEventListener('change', applyFilters); });
  requirementSelect.addEventListener('change', applyFilters);
  document.getElementById('filters').addEventListener('submit', function (event) { event.preventDefault(); });
  applyFilters();
})();
"""

_STATUS_ORDER = (Status.FAIL, Status.NOT_CHECKED, Status.PASS, Status.RUNTIME_ONLY)


class _Sources:
    """Lines of the files findings point at, read once each; None when unreadable."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lines: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if path not in self._lines:
            source = SourceFile.read(path, self.root / path)
            self._lines[path] = None if source.error is not None else source.text.split("\n")
        return self._lines[path]


def _bar(counts: dict[str, int], label: str) -> str:
    total = sum(counts.values()) or 1
    segments = "".join(
        f'<span class="{status.value}" style="width:{counts[status.value] * 100 / total:.2f}%"></span>'
        for status in (Status.PASS, Status.FAIL, Status.NOT_CHECKED, Status.RUNTIME_ONLY)
        if counts[status.value]
    )
    return f'<span class="bar" role="img" aria-label="{escape(label)}">{segments}</span>'


def _counts_label(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[status.value]} {status.label}" for status in _STATUS_ORDER)


def _finding_html(finding: dict[str, Any], sources: _Sources) -> str:
    where = f"{finding['path']}:{finding['line']}:{finding['column']}"
    parts = [
        f"<li><code>{escape(inline(where))}</code> <b>{escape(finding['code'])}</b> "
        f'<span class="muted">{escape(finding["name"])}</span> {escape(inline(finding["message"]))}'
    ]
    lines = sources.lines(finding["path"])
    if lines is not None and 0 < finding["line"] <= len(lines):
        last = min(finding["end_line"], len(lines))
        shown = range(finding["line"], min(last, finding["line"] + MAX_SOURCE_LINES - 1) + 1)
        width = len(str(shown[-1]))
        text = "\n".join(f"{number:>{width}} | {inline(lines[number - 1])}" for number in shown)
        if last > shown[-1]:
            text += f"\n{'':>{width}} | ... {last - shown[-1]} more lines"
        parts.append(f"<pre>{escape(text)}</pre>")
    parts.append("</li>")
    return "".join(parts)


def _criterion_html(requirement: str, criterion: dict[str, Any], sources: _Sources) -> str:
    status = Status(criterion["status"])
    head = (
        f'<span class="badge {status.value}">{status.label}</span> '
        f"<b>{escape(criterion['id'])}</b> {escape(inline(criterion['text']))}"
    )
    attributes = (
        f'class="criterion" id="criterion-{escape(criterion["id"])}" '
        f'data-status="{status.value}" data-requirement="{escape(requirement)}"'
    )
    reason = f'<p class="reason">{escape(criterion["reason"])}</p>'
    if status is Status.FAIL:
        findings = "".join(_finding_html(finding, sources) for finding in criterion["findings"])
        return (
            f"<li {attributes}><details><summary>{head}</summary>{reason}"
            f'<ul class="findings">{findings}</ul></details></li>'
        )
    return f"<li {attributes}><div>{head}</div>{reason}</li>"


def render(report: ReadinessReport, out: TextIO) -> None:
    data = report_to_json(report)
    sources = _Sources(report.run.root)
    summary = data["summary"]
    overall = percent(report.readiness.readiness)
    counts = "".join(
        f'<li data-status="{status.value}"><span class="badge {status.value}">{status.label}</span> '
        f'<span class="count">{summary[status.value]}</span></li>'
        for status in _STATUS_ORDER
    )
    chart = []
    options = ['<option value="">All requirements</option>']
    sections = []
    for requirement in data["requirements"]:
        rid = escape(requirement["id"])
        title = escape(requirement["title"])
        value = percent(requirement["readiness"])
        label = f"{requirement['id']}: {value} ready; {_counts_label(requirement['counts'])}"
        chart.append(
            f'<li data-requirement="{rid}"><a href="#req-{rid}">{rid} {title}</a>'
            f'{_bar(requirement["counts"], label)}<span class="pct">{value}</span></li>'
        )
        options.append(f'<option value="{rid}">{rid} {title}</option>')
        items = "".join(
            _criterion_html(requirement["id"], criterion, sources)
            for criterion in requirement["criteria"]
        )
        sections.append(
            f'<section class="requirement" id="req-{rid}" data-requirement="{rid}" '
            f'aria-labelledby="title-{rid}"><h2 id="title-{rid}">{rid} {title} '
            f'<span class="pct" data-readiness="{requirement["readiness"]}">{value}</span></h2>'
            f'<ul class="criteria">{items}</ul></section>'
        )
    status_boxes = "".join(
        f'<label><input type="checkbox" name="status" value="{status.value}" checked> '
        f"{status.label} ({summary[status.value]})</label>"
        for status in _STATUS_ORDER
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="generator" content="mami-audit {escape(data["version"])}">
<title>mami-audit readiness: {overall}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>Readiness <span id="overall" data-readiness="{data["readiness"]}">{overall}</span></h1>
<p id="headline">{escape(headline(report.readiness))}</p>
<p class="muted">{escape(data["root"])}: {summary["files"]} files, {summary["rules"]} rules, {summary["findings"]} findings; {summary["criteria"]} criteria.</p>
<ul class="counts" aria-label="Criteria by status">{counts}</ul>
<button id="theme" type="button" aria-pressed="false">Dark theme</button>
</header>
<div class="layout">
<aside>
<h2 id="chart-title">Readiness per requirement</h2>
<ul class="chart" aria-labelledby="chart-title">{"".join(chart)}</ul>
</aside>
<main>
<form id="filters" aria-label="Filter criteria">
<fieldset><legend>Status</legend>{status_boxes}</fieldset>
<label for="requirement-filter">Requirement</label>
<select id="requirement-filter">{"".join(options)}</select>
<p id="shown" aria-live="polite">Showing {summary["criteria"]} of {summary["criteria"]} criteria</p>
</form>
{"".join(sections)}
</main>
</div>
<script>{_SCRIPT}</script>
</body>
</html>
"""
    out.write(page)
