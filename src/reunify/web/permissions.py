"""Who may do what: the one table every route is guarded by and the role tests are generated from.

Each route declares one :class:`Permission`; :data:`ALLOWED` says which roles hold it. Record-level
scope (an officer's ports, counsel's families, an auditor's sight of identities) is applied on top by
the services, from the user's grants.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    HEADQUARTERS = "headquarters"
    AUDITOR = "auditor"
    COUNSEL = "counsel"
    ADMIN = "admin"


class Permission(StrEnum):
    SIGNED_IN = "signed_in"  # any signed-in user: home, own account, sign out
    POLICY_CHECK = "policy_check"
    ENCOUNTER_RECORD = "encounter_record"
    RECORDS_READ = "records_read"  # encounters, people, separations in the user's scope
    SEPARATION_PROPOSE = "separation_propose"
    SEPARATION_UPDATE = "separation_update"
    SEPARATION_DECIDE = "separation_decide"
    SEPARATION_QUEUE = "separation_queue"
    FOLLOW_UP_RECORD = "follow_up_record"  # custody transfers, contacts, reunification
    DASHBOARD = "dashboard"
    NOTIFICATIONS = "notifications"
    REVIEW_READ = "review_read"
    REVIEW_DECIDE = "review_decide"
    FAMILY_STATUS = "family_status"
    USERS_ADMIN = "users_admin"
    LOG_VERIFY = "log_verify"


_ALL = frozenset(Role)
OF, S, H, A, C, AD = Role.OFFICER, Role.SUPERVISOR, Role.HEADQUARTERS, Role.AUDITOR, Role.COUNSEL, Role.ADMIN

ALLOWED: dict[Permission, frozenset[Role]] = {
    Permission.SIGNED_IN: _ALL,
    Permission.POLICY_CHECK: frozenset({OF, S, H, A}),
    Permission.ENCOUNTER_RECORD: frozenset({OF}),
    Permission.RECORDS_READ: frozenset({OF, S, H, A}),
    Permission.SEPARATION_PROPOSE: frozenset({OF}),
    Permission.SEPARATION_UPDATE: frozenset({OF, S}),
    Permission.SEPARATION_DECIDE: frozenset({S}),
    Permission.SEPARATION_QUEUE: frozenset({S, H}),
    Permission.FOLLOW_UP_RECORD: frozenset({OF}),
    Permission.DASHBOARD: frozenset({S, H}),
    Permission.NOTIFICATIONS: frozenset({H}),
    Permission.REVIEW_READ: frozenset({A}),
    Permission.REVIEW_DECIDE: frozenset({A}),
    Permission.FAMILY_STATUS: frozenset({C, H}),
    Permission.USERS_ADMIN: frozenset({AD}),
    Permission.LOG_VERIFY: frozenset({A, AD, H}),
}

# Roles whose records are limited to the ports they are granted.
PORT_SCOPED = frozenset({OF, S})
# Roles that never change records (the services refuse writes from them whatever the route).
READ_ONLY = frozenset({H, A, C})


def allows(role: Role | str, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission``."""
    return Role(role) in ALLOWED[permission]
