"""Helpers that insert valid rows (Core, so tests see exactly what reaches the database)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, insert

from reunify.store import crypto
from reunify.store.schema import canonical as c

SRC = {"source_system": "test", "source_record_id": None}


def add_person(conn: Connection, a_number: str | None = None) -> int:
    values = {**SRC, "a_number": a_number, "a_number_index": crypto.a_number_index(a_number)}
    return int(conn.execute(insert(c.Person).values(**values).returning(c.Person.id)).scalar_one())


def add_separation(conn: Connection, on: date, *, status: str = "RECORDED") -> int:
    values = {**SRC, "port_code": "2304", "separation_date": on, "status": status, "version_id": 1}
    return int(conn.execute(insert(c.Separation).values(**values).returning(c.Separation.id)).scalar_one())


def add_custody(conn: Connection, person_id: int, start: date, end: date | None, agency: str = "ICE") -> None:
    conn.execute(
        insert(c.CustodyEpisode).values(
            **SRC, person_id=person_id, agency=agency, start_date=start, end_date=end
        )
    )
