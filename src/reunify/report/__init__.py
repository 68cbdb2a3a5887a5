"""The report: OIG-20-35's findings recomputed from an audit deliverable, as HTML, PDF and XLSX.

Public face: :func:`build_report` and :class:`ReportResult`; :func:`pseudonymize_deliverable` for
sharing a deliverable without identities. The rest may move.
"""

from reunify.report.build import ReportResult, build_report, parse_formats
from reunify.report.sharing import pseudonymize_deliverable

__all__ = ["ReportResult", "build_report", "parse_formats", "pseudonymize_deliverable"]
