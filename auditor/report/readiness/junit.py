"""The junit format of the readiness report: one test case per criterion, so CI systems
(GitLab, Jenkins, Azure, the many JUnit viewers) show the spec as a test suite.

One `<testsuite>` per requirement. A failing criterion has a `<failure>` listing its
findings; a criterion not checked or runtime-only is `<skipped>` with the reason or the
how-to; a passing one is a bare `<testcase>`. Valid against the Jenkins xunit-plugin
JUnit schema (junit-10.xsd), which tests/report/test_readiness_formats.py checks.
"""

from __future__ import annotations

from typing import TextIO
from xml.etree import ElementTree

from auditor.readiness import Status
from auditor.report.readiness import ReadinessReport

# XML 1.0 cannot hold most control characters, even escaped.
_XML_INVALID = dict.fromkeys(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))


def _xml_text(text: str) -> str:
    return text.translate(_XML_INVALID)


def render(report: ReadinessReport, out: TextIO) -> None:
    readiness = report.readiness
    skipped_statuses = (Status.NOT_CHECKED, Status.RUNTIME_ONLY)
    suites = ElementTree.Element(
        "testsuites",
        name="mami-audit readiness",
        tests=str(len(readiness.criteria)),
        failures=str(readiness.count(Status.FAIL)),
        errors="0",
        time="0",
    )
    for index, requirement in enumerate(readiness.requirements):
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=f"{requirement.requirement.id} {requirement.requirement.title}",
            tests=str(len(requirement.criteria)),
            failures=str(requirement.count(Status.FAIL)),
            errors="0",
            skipped=str(sum(requirement.count(status) for status in skipped_statuses)),
            time="0",
            id=str(index),
        )
        for item in requirement.criteria:
            case = ElementTree.SubElement(
                suite,
                "testcase",
                classname=f"mami-audit.{requirement.requirement.id}",
                name=_xml_text(f"{item.criterion.id} {item.criterion.text}"),
                time="0",
            )
            if item.status is Status.FAIL:
                failure = ElementTree.SubElement(
                    case,
                    "failure",
                    message=_xml_text(item.reason),
                    type=",".join(sorted({f.code for f in item.findings})),
                )
                failure.text = _xml_text(
                    "\n".join(
                        f"{f.path}:{f.span.line}:{f.span.column}: {f.code} {f.message}"
                        for f in item.findings
                    )
                )
            elif item.status in skipped_statuses:
                ElementTree.SubElement(
                    case, "skipped", message=_xml_text(f"{item.status.label}: {item.reason}")
                )
    ElementTree.indent(suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ElementTree.tostring(suites, encoding="unicode"))
    out.write("\n")
