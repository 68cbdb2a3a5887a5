"""The append-only, hash-chained audit log: every change and every view of a person's record.

Public face: :class:`AuditEvent`, :func:`append` (queue an entry in the caller's transaction),
:func:`sequence` (give queued entries their place in the chain), :func:`verify`, :class:`VerifyResult`.
"""

from reunify.auditlog.chain import GENESIS, VerifyResult
from reunify.auditlog.events import AuditEvent
from reunify.auditlog.log import append, count, pending, sequence, verify

__all__ = ["GENESIS", "AuditEvent", "VerifyResult", "append", "count", "pending", "sequence", "verify"]
