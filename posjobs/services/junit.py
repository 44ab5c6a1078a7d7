"""A test report as JUnit XML, the shape CI servers (GitHub, GitLab, Jenkins) read."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from posjobs.errors import TemplateError, UsageError
from posjobs.services.testing import TestReport

SUITE = "platformOS tests"


def junit_xml(report: TestReport) -> str:
    """One `testsuite` of one `testcase` per test partial; a failed test has one `failure`
    listing its failed assertions. The module times the run, not each test: the suite
    carries the time, the cases none."""
    suites = ET.Element("testsuites", tests=str(len(report.tests)),
                        failures=str(report.failed), errors="0",
                        time=f"{report.seconds:.3f}")
    suite = ET.SubElement(suites, "testsuite", name=SUITE, tests=str(len(report.tests)),
                          failures=str(report.failed), errors="0", skipped="0",
                          time=f"{report.seconds:.3f}")
    for test in report.tests:
        folder, _, _ = test.name.rpartition("/")
        case = ET.SubElement(suite, "testcase", name=test.name,
                             classname=folder.replace("/", ".") or "test",
                             assertions=str(test.assertions))
        if not test.success:
            lines = [f"{field}: {message}" if field else message
                     for field, message in test.failures] or ["the test did not succeed"]
            failure = ET.SubElement(case, "failure", message=lines[0], type="AssertionFailed")
            failure.text = "\n".join(lines)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")


def junit_error_xml(err: TemplateError, seconds: float) -> str:
    """A run a template error stopped (a test or migration that does not render): one
    `testcase` named after the template, with the `error` CI servers show."""
    suites = ET.Element("testsuites", tests="1", failures="0", errors="1",
                        time=f"{seconds:.3f}")
    suite = ET.SubElement(suites, "testsuite", name=SUITE, tests="1", failures="0",
                          errors="1", skipped="0", time=f"{seconds:.3f}")
    case = ET.SubElement(suite, "testcase", name=err.path or "<template>", classname="posjobs")
    error = ET.SubElement(case, "error", message=err.message, type=err.error_class)
    error.text = str(err)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")


def write_junit(report: TestReport | str, path: Path) -> None:
    """Write the report (or XML made already) to `path`; a path that cannot be written is a
    usage error."""
    text = report if isinstance(report, str) else junit_xml(report)
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as err:
        raise UsageError(f"--junit {path}: cannot write: {err.strerror}") from None
