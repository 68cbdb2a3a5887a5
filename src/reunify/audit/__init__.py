"""The audit: find every separated family in legacy records, with evidence and source rows.

Public face: :func:`run_audit`, :class:`AuditResult`, :class:`AuditInputs` and its two adapters
(:func:`from_csv_dir`, :func:`from_store`). Stages live in their own modules (people, families,
separations, reasons, reunification, verdicts, review, deliverable, evaluate).
"""

from reunify.audit.inputs import AuditInputs, from_csv_dir, from_store
from reunify.audit.pipeline import AuditResult, run_audit

__all__ = ["AuditInputs", "AuditResult", "from_csv_dir", "from_store", "run_audit"]
