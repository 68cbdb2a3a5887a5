"""The audit log's vocabulary: every kind of event, named ``source:subject:action``."""

from __future__ import annotations

from enum import StrEnum


class AuditEvent(StrEnum):
    """What happened. The value is what the log stores; never rename a member once released."""

    # sessions
    LOGIN = "web:session:login"
    LOGIN_FAILED = "web:session:login_failed"
    LOCKED_OUT = "web:session:locked_out"
    LOGOUT = "web:session:logout"
    # records (officer)
    ENCOUNTER_CREATE = "web:encounter:create"
    ENCOUNTER_VIEW = "web:encounter:view"
    PERSON_VIEW = "web:person:view"
    RELATIONSHIP_RECORD = "web:relationship:record"
    SEPARATION_PROPOSE = "web:separation:propose"
    SEPARATION_UPDATE = "web:separation:update"
    SEPARATION_VIEW = "web:separation:view"
    SEPARATION_APPROVE = "web:separation:approve"
    SEPARATION_REJECT = "web:separation:reject"
    CUSTODY_RECORD = "web:custody:record"
    CONTACT_RECORD = "web:contact:record"
    REUNIFICATION_RECORD = "web:reunification:record"
    FAMILY_STATUS_VIEW = "web:family:status_view"
    # audit review (auditor)
    REVIEW_DECIDE = "web:review:decide"
    REVIEW_VIEW = "web:review:view"
    # audit review and policy from the command line
    REVIEW_DECIDE_CLI = "cli:review:decide"
    POLICY_REJUDGE = "cli:policy:rejudge"
    SEPARATION_REJUDGE = "cli:separation:rejudge"
    # accounts
    USER_ADD = "account:user:add"
    USER_DISABLE = "account:user:disable"
    USER_GRANT = "account:user:grant"
