"""The context every service call gets: the session (the caller commits), who acts, and the audit switch."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from reunify import auditlog
from reunify.auditlog import AuditEvent
from reunify.web.deps import Actor, ForbiddenError
from reunify.web.permissions import PORT_SCOPED


@dataclass
class Ctx:
    session: Session
    actor: Actor
    audit_log: bool = True

    def log(
        self,
        event: AuditEvent,
        *,
        target_kind: str,
        target_id: str | int,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        """Append to the audit log in this transaction (skipped only in the benchmark's comparison run)."""
        if self.audit_log:
            auditlog.append(
                self.session,
                event=event,
                actor=self.actor.log_id,
                target_kind=target_kind,
                target_id=target_id,
                data=data,
            )

    def check_port(self, port_code: str | None) -> None:
        """ForbiddenError unless the actor's scope covers ``port_code`` (roles not scoped by port pass)."""
        if self.actor.role in PORT_SCOPED and (port_code or "") not in self.actor.ports:
            raise ForbiddenError("this record belongs to a port outside your scope")
