"""spec/policy.md's table of verdicts and windows, copied verbatim, parsed for the tests.

test_table.py checks this copy still matches the shared spec when the spec is on disk.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

# ruff: noqa: E501  (the table is copied verbatim from the spec)

SPEC_PATH = Path("/work/shared/spec/policy.md")

TABLE = """\
| reason | TEDS 2015 [2015-10-01, -) | Memo 2016 [2016-08-01, -) | DHS public statements [2018-05-01, 2018-06-29) | Ms. L injunction [2018-06-26, -) | CBP guidance [2018-06-29, -) |
|---|---|---|---|---|---|
| PROSECUTION | consistent | consistent | consistent | consistent | consistent |
| WARRANT | consistent | consistent | consistent | consistent | undetermined |
| CRIMINAL_HISTORY_SERIOUS | consistent | consistent | consistent | undetermined | consistent |
| CRIMINAL_HISTORY_OTHER | undetermined | undetermined | undetermined | inconsistent | inconsistent |
| CRIMINAL_HISTORY | consistent | consistent | consistent | undetermined | undetermined |
| CARTEL_GANG | consistent | consistent | consistent | undetermined | undetermined |
| IMMIGRATION_HISTORY | inconsistent | inconsistent | inconsistent | inconsistent | inconsistent |
| RELATIONSHIP_NOT_ESTABLISHED | consistent | consistent | consistent | consistent | consistent |
| COMMUNICABLE_DISEASE | consistent | undetermined | undetermined | undetermined | consistent |
| CHILD_SAFETY | consistent | consistent | consistent | consistent | consistent |
| PARENT_MEDICAL | consistent | consistent | undetermined | undetermined | undetermined |
| PARENT_DECLINED | consistent | consistent | consistent | consistent | consistent |
| OTHER | undetermined | undetermined | undetermined | undetermined | undetermined |
| UNKNOWN | undetermined | undetermined | undetermined | undetermined | undetermined |
"""

FRAMEWORK_IDS = ("teds-2015", "memo-2016", "dhs-statements-2018", "ms-l-injunction-2018", "cbp-guidance-2018")


def _rows() -> list[list[str]]:
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in TABLE.splitlines()]


def windows() -> dict[str, tuple[date, date | None]]:
    """Framework id -> (from, until) as the table's header states them."""
    result: dict[str, tuple[date, date | None]] = {}
    for framework_id, header in zip(FRAMEWORK_IDS, _rows()[0][1:], strict=True):
        inside = header[header.index("[") + 1 : header.index(")")]
        start, until = (part.strip() for part in inside.split(","))
        result[framework_id] = (
            date.fromisoformat(start),
            None if until == "-" else date.fromisoformat(until),
        )
    return result


def cells() -> list[tuple[str, str, str]]:
    """(reason code, framework id, verdict) for every cell of the table."""
    return [
        (row[0], framework_id, verdict)
        for row in _rows()[2:]
        for framework_id, verdict in zip(FRAMEWORK_IDS, row[1:], strict=True)
    ]


SWEEP_END = date(2019, 12, 31)


def last_day(start: date, until: date | None) -> date:
    """The last day a window covers, or the end of the sweep for an open window."""
    from datetime import timedelta

    return (until - timedelta(days=1)) if until else SWEEP_END
