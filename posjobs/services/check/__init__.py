"""`posjobs check`: lint every background job (and the templates around it) before it runs."""

from posjobs.services.check.findings import CheckReport, Finding
from posjobs.services.check.rules import RULES, Rule, Severity
from posjobs.services.check.scan import check_project

__all__ = ["RULES", "CheckReport", "Finding", "Rule", "Severity", "check_project"]
