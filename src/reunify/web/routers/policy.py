"""The policy check the officer's form calls as they type: verdicts in force, with the quoted rule."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from reunify.domain.reasons import ReasonCode
from reunify.web.deps import Actor, require
from reunify.web.permissions import Permission
from reunify.web.schemas import Day, PolicyCheckOut, VerdictOut
from reunify.web.services.policy import Judgement, judge, ruleset_for

router = APIRouter(prefix="/api/policy", tags=["policy"])


def judgement_out(j: Judgement) -> PolicyCheckOut:
    """The API form of a judgement, with the one-line message the form shows."""
    if not j.verdicts:
        message = (
            "No framework was in force on this date: "
            "a justification and a supervisor's approval are required."
        )
    elif j.needs_approval:
        names = ", ".join(f"{v.framework_id} ({v.verdict})" for v in j.flagged)
        message = (
            f"Not consistent with every framework in force ({names}): a written justification and a "
            "supervisor's approval are required; headquarters will be notified."
        )
    else:
        message = "Consistent with every framework in force on this date; a supervisor will still review it."
    return PolicyCheckOut(
        date=j.on,
        reasons=list(j.reasons),
        needs_justification=j.needs_approval,
        message=message,
        ruleset_hash=j.ruleset_hash,
        verdicts=[
            VerdictOut(
                framework_id=v.framework_id,
                verdict=v.verdict,
                rule_id=v.rule_id,
                explanation=v.explanation,
                citation=v.citation,
                quote=v.quote,
            )
            for v in j.verdicts
        ],
    )


@router.get("/check", response_model=PolicyCheckOut)
def check(
    request: Request,
    _user: Annotated[Actor, Depends(require(Permission.POLICY_CHECK))],
    on: Annotated[Day, Query(alias="date", description="the separation's date, YYYY-MM-DD")],
    reason: Annotated[
        list[ReasonCode],
        Query(min_length=1, max_length=len(ReasonCode), description="reason code; repeat for several"),
    ],
) -> PolicyCheckOut:
    """Judge the reasons under every framework in force on the date (policy.md), quoting each rule."""
    return judgement_out(judge(reason, on, ruleset_for(request.app.state.settings.ruleset_path)))


@router.get("/reasons", response_model=dict[str, str])
def reasons(_user: Annotated[Actor, Depends(require(Permission.POLICY_CHECK))]) -> dict[str, str]:
    """The reason vocabulary: code -> meaning."""
    rs = ruleset_for(None)
    return {str(v.code): v.meaning for v in rs.vocabulary}
