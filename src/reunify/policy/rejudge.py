"""Judge every separation in the store under a rule set, stamp the verdicts with its hash, and
report what moved.

Verdict rows live in ``separation_verdicts``, one per (separation, framework, rule-set hash), so
the verdicts under earlier rule sets stay as history. The "previous" verdict of a separation under
a framework is its latest row under any hash. The caller owns the transaction: :func:`rejudge`
only adds and updates rows in the session it is given; :func:`rejudge_database` commits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reunify import auditlog
from reunify.auditlog import AuditEvent
from reunify.domain.reasons import ReasonCode
from reunify.errors import UserError
from reunify.policy.evaluate import FrameworkVerdict, evaluate
from reunify.policy.ruleset import RuleSet
from reunify.store.schema.canonical import APP_SOURCE_SYSTEM, Separation, SeparationReason, SeparationVerdict
from reunify.store.types import utcnow

Move = tuple[str, str, str]
"""(framework id, verdict before, verdict after)."""


@dataclass(frozen=True)
class RejudgeReport:
    """What a re-judgement did.

    ``added``: (separation, framework) pairs judged for the first time; ``changed``: verdicts that
    differ from the previous judgement (``moves`` counts them by framework and direction);
    ``unchanged``: the same verdict as before. ``frameworks_dropped``: frameworks that judged some
    separation before but are not in this rule set (their old rows are kept as history).
    """

    ruleset_hash: str
    separations: int
    added: int
    changed: int
    unchanged: int
    moves: Mapping[Move, int] = field(default_factory=dict)
    moved_separation_ids: tuple[int, ...] = ()
    frameworks_dropped: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The report as plain data (``reunify policy rejudge --json``)."""
        return {
            "ruleset_hash": self.ruleset_hash,
            "separations": self.separations,
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "moves": [
                {"framework_id": fid, "from": before, "to": after, "separations": n}
                for (fid, before, after), n in sorted(self.moves.items())
            ],
            "moved_separation_ids": list(self.moved_separation_ids),
            "frameworks_dropped": list(self.frameworks_dropped),
        }


def verdict_rows(
    *, separation_id: int, verdicts: Sequence[FrameworkVerdict], ruleset_hash: str, judged_at: datetime
) -> list[SeparationVerdict]:
    """New ``separation_verdicts`` rows for one separation's verdicts (not added to any session).

    For code that records a separation and judges it in the same transaction.
    """
    return [
        SeparationVerdict(
            separation_id=separation_id,
            framework_id=v.framework_id,
            verdict=v.verdict,
            rule_id=v.rule_id,
            explanation=v.explanation,
            ruleset_hash=ruleset_hash,
            judged_at=judged_at,
            source_system=APP_SOURCE_SYSTEM,
        )
        for v in verdicts
    ]


def judge_separation(session: Session, separation_id: int, ruleset: RuleSet) -> list[FrameworkVerdict]:
    """Judge one stored separation under ``ruleset`` and write (or refresh) its verdict rows.

    Adds to ``session`` without committing; returns the verdicts.
    """
    separation = session.get(Separation, separation_id)
    if separation is None:
        raise LookupError(f"no separation {separation_id}")
    codes = [ReasonCode(r.code) for r in separation.reasons]
    verdicts = evaluate(codes, separation.separation_date, ruleset)
    _write(session, separation_id, verdicts, ruleset.hash, utcnow())
    return verdicts


def _write(
    session: Session,
    separation_id: int,
    verdicts: Sequence[FrameworkVerdict],
    ruleset_hash: str,
    now: datetime,
) -> None:
    existing = {
        row.framework_id: row
        for row in session.scalars(
            select(SeparationVerdict).where(
                SeparationVerdict.separation_id == separation_id,
                SeparationVerdict.ruleset_hash == ruleset_hash,
            )
        )
    }
    for v in verdicts:
        row = existing.get(v.framework_id)
        if row is None:
            session.add_all(
                verdict_rows(
                    separation_id=separation_id, verdicts=[v], ruleset_hash=ruleset_hash, judged_at=now
                )
            )
        else:  # refreshed and re-stamped: the latest judgement is always this rule set's
            _refresh(row, v, now)


def _refresh(row: SeparationVerdict, verdict: FrameworkVerdict, now: datetime) -> None:
    row.verdict, row.rule_id, row.explanation = verdict.verdict, verdict.rule_id, verdict.explanation
    row.judged_at = now


def rejudge(session: Session, ruleset: RuleSet) -> RejudgeReport:
    """Re-judge every separation in the store under ``ruleset``; stamp rows with its hash.

    Adds rows for a rule set not used before and refreshes rows already stamped with this hash
    (the separation's date or reasons may have changed since), setting ``judged_at`` on every row
    it judges: afterwards each separation's latest verdicts are this rule set's. Flushes, never commits.
    """
    ruleset_hash = ruleset.hash
    now = utcnow()
    separations: list[tuple[int, date]] = [
        (row.id, row.separation_date)
        for row in session.execute(select(Separation.id, Separation.separation_date).order_by(Separation.id))
    ]
    reasons: dict[int, list[ReasonCode]] = defaultdict(list)
    for sep_id, code in session.execute(select(SeparationReason.separation_id, SeparationReason.code)):
        reasons[sep_id].append(ReasonCode(code))

    latest: dict[tuple[int, str], SeparationVerdict] = {}
    current: dict[tuple[int, str], SeparationVerdict] = {}
    for stored in session.scalars(
        select(SeparationVerdict).order_by(SeparationVerdict.judged_at, SeparationVerdict.id)
    ):
        key = (stored.separation_id, stored.framework_id)
        latest[key] = stored
        if stored.ruleset_hash == ruleset_hash:
            current[key] = stored

    framework_ids = {f.id for f in ruleset.frameworks}
    dropped = sorted({fid for (_, fid) in latest if fid not in framework_ids})
    added = changed = unchanged = 0
    moves: Counter[Move] = Counter()
    moved: set[int] = set()
    per_separation: dict[int, list[list[str]]] = defaultdict(list)
    for sep_id, day in separations:
        for v in evaluate(reasons.get(sep_id, []), day, ruleset):
            key = (sep_id, v.framework_id)
            before = latest[key].verdict if key in latest else None  # read before the row is refreshed
            row = current.get(key)
            if row is None:
                session.add_all(
                    verdict_rows(separation_id=sep_id, verdicts=[v], ruleset_hash=ruleset_hash, judged_at=now)
                )
            else:  # refreshed and re-stamped: the latest judgement is always this rule set's
                _refresh(row, v, now)
            if before is None:
                added += 1
                per_separation[sep_id].append([v.framework_id, "", v.verdict])
            elif before != v.verdict:
                changed += 1
                moves[(v.framework_id, before, v.verdict)] += 1
                moved.add(sep_id)
                per_separation[sep_id].append([v.framework_id, before, v.verdict])
            else:
                unchanged += 1
    session.flush()
    _log(session, ruleset_hash, per_separation, separations=len(separations), unchanged=unchanged)
    return RejudgeReport(
        ruleset_hash=ruleset_hash,
        separations=len(separations),
        added=added,
        changed=changed,
        unchanged=unchanged,
        moves=dict(moves),
        moved_separation_ids=tuple(sorted(moved)),
        frameworks_dropped=tuple(dropped),
    )


def _log(
    session: Session,
    ruleset_hash: str,
    per_separation: Mapping[int, list[list[str]]],
    *,
    separations: int,
    unchanged: int,
) -> None:
    """Audit-log the re-judgement in the caller's transaction: one entry per separation whose
    verdicts moved or were added (framework, before, after), and one for the run."""
    for sep_id, verdicts in sorted(per_separation.items()):
        auditlog.append(
            session,
            event=AuditEvent.SEPARATION_REJUDGE,
            actor="cli",
            target_kind="separation",
            target_id=sep_id,
            data={"ruleset_hash": ruleset_hash, "verdicts": verdicts},
        )
    auditlog.append(
        session,
        event=AuditEvent.POLICY_REJUDGE,
        actor="cli",
        target_kind="ruleset",
        target_id=ruleset_hash,
        data={"separations": separations, "moved_or_added": len(per_separation), "unchanged": unchanged},
    )


def rejudge_database(url: str, ruleset: RuleSet) -> RejudgeReport:
    """:func:`rejudge` on the database at ``url``, in one transaction that commits on success."""
    from sqlalchemy import inspect

    from reunify.store.engine import make_engine, safe_url, session_factory

    engine = make_engine(url)
    try:
        missing = {"separations", "separation_reasons", "separation_verdicts"} - set(
            inspect(engine).get_table_names()
        )
        if missing:
            raise UserError(
                f"{safe_url(url)} has no {', '.join(sorted(missing))} table; run `reunify init` first"
            )
        with session_factory(engine).begin() as session:
            return rejudge(session, ruleset)
    finally:
        engine.dispose()
