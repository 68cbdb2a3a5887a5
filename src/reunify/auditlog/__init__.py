"""The append-only, hash-chained audit log: every change and every view of a person's record.

Public face: :class:`AuditEvent`, :func:`append`, :func:`verify`, :class:`VerifyResult`.
"""

from reunify.auditlog.chain import GENESIS, VerifyResult
from reunify.auditlog.events import AuditEvent
from reunify.auditlog.log import append, count, verify

__all__ = ["GENESIS", "AuditEvent", "VerifyResult", "append", "count", "verify"]
