"""Two people editing one separation: the second save is refused, not silently overwritten."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm.exc import StaleDataError

from reunify.store.engine import session_factory
from reunify.store.schema.canonical import Separation


def test_a_stale_update_of_a_separation_raises(store_engine: Engine) -> None:
    sessions = session_factory(store_engine)
    with sessions.begin() as s:
        sep = Separation(
            source_system="test", port_code="2304", separation_date=date(2018, 5, 21), status="PROPOSED"
        )
        s.add(sep)
        s.flush()
        sep_id = sep.id
    assert sep.version_id == 1

    first, second = sessions(), sessions()
    try:
        mine = first.get(Separation, sep_id)
        theirs = second.get(Separation, sep_id)
        assert mine is not None
        assert theirs is not None
        mine.status = "PENDING_APPROVAL"
        first.commit()
        theirs.status = "REJECTED"
        with pytest.raises(StaleDataError):
            second.commit()
    finally:
        first.close()
        second.close()

    with sessions() as s:
        stored = s.get(Separation, sep_id)
        assert stored is not None
        assert (stored.status, stored.version_id) == ("PENDING_APPROVAL", 2)
