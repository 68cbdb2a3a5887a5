"""Protection at rest: names, alien numbers, dates of birth and narratives never sit in the clear."""

from __future__ import annotations

import base64
import os
import stat
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text

from reunify.errors import UserError
from reunify.store import crypto
from reunify.store.engine import check_data_key, session_factory
from reunify.store.schema.canonical import Person, PersonName, Separation

NAME_FAMILY, NAME_GIVEN = "GARCÍA LÓPEZ", "MARÍA JOSÉ"
A_NUMBER = "012345678"
NARRATIVE = "Subject MARIA GARCIA states two previous removals."
OTHER_KEY = base64.b64encode(b"k" * 32).decode()


def _store_family(engine: Engine) -> int:
    with session_factory(engine).begin() as s:
        person = Person(
            source_system="test",
            a_number=A_NUMBER,
            a_number_index=crypto.a_number_index(A_NUMBER),
            dob="1992-03-04",
            dob_precision="day",
        )
        person.names.append(
            PersonName(
                source_system="test",
                family_name=NAME_FAMILY,
                given_name=NAME_GIVEN,
                family_name_folded="GARCIA LOPEZ",
            )
        )
        s.add(person)
        s.add(
            Separation(
                source_system="test",
                port_code="2304",
                separation_date=date(2018, 5, 21),
                status="RECORDED",
                narrative=NARRATIVE,
            )
        )
        s.flush()
        return person.id


def _raw_bytes(engine: Engine) -> bytes:
    """Every stored value of the sensitive columns, as the database holds them."""
    queries = [
        "SELECT a_number, dob FROM people",
        "SELECT family_name, given_name, family_name_folded FROM person_names",
        "SELECT narrative FROM separations",
    ]
    out = b""
    with engine.connect() as connection:
        for q in queries:
            for row in connection.execute(text(q)):
                for value in row:
                    assert value is None or isinstance(value, bytes | memoryview), (
                        f"{q}: stored as {type(value)}"
                    )
                    out += b"|" + bytes(value or b"")
    return out


def test_sensitive_columns_hold_no_plaintext(store_engine: Engine) -> None:
    _store_family(store_engine)
    raw = _raw_bytes(store_engine)
    assert len(raw) > 100  # the values are there, only not readable
    for secret in (
        A_NUMBER,
        "12345678",
        "GARC",
        "LOPEZ",
        "LÓPEZ",
        "MARÍA",
        "1992-03-04",
        "previous removals",
    ):
        assert secret.encode() not in raw, f"plaintext {secret!r} found in the database"


def test_encrypted_values_round_trip_and_are_found_by_blind_index(store_engine: Engine) -> None:
    person_id = _store_family(store_engine)
    with session_factory(store_engine)() as s:
        found = s.scalars(
            select(Person).where(Person.a_number_index == crypto.a_number_index("A-012-345-678"))
        ).all()
        assert [p.id for p in found if p.id == person_id] == [person_id]
        person = s.get(Person, person_id)
        assert person is not None
        assert (person.a_number, person.dob) == (A_NUMBER, "1992-03-04")
        assert [(n.family_name, n.given_name) for n in person.names] == [(NAME_FAMILY, NAME_GIVEN)]


def test_a_wrong_key_is_a_clear_error_without_the_data(
    store_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    person_id = _store_family(store_engine)
    monkeypatch.setenv(crypto.KEY_ENV, OTHER_KEY)
    with session_factory(store_engine)() as s, pytest.raises(UserError) as caught:
        s.get(Person, person_id)
    message = str(caught.value)
    assert "key is wrong" in message
    assert "REUNIFY_DATA_KEY" in message
    assert A_NUMBER not in message
    assert "GARC" not in message


def test_a_database_refuses_a_key_it_was_not_set_up_with(
    store_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_data_key(store_engine, record_if_absent=True)
    assert check_data_key(store_engine) is False  # the same key passes
    monkeypatch.setenv(crypto.KEY_ENV, OTHER_KEY)
    with pytest.raises(UserError, match="not the key this database was encrypted with"):
        check_data_key(store_engine)


def test_no_key_at_all_says_how_to_get_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(crypto.KEY_ENV)
    monkeypatch.setenv(crypto.KEY_FILE_ENV, str(tmp_path / "missing.key"))
    with pytest.raises(UserError, match=r"set REUNIFY_DATA_KEY or run `reunify init`"):
        crypto.encrypt("x")


@pytest.mark.parametrize("bad", ["not base64!!", base64.b64encode(b"short").decode()])
def test_a_malformed_key_is_refused(bad: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(crypto.KEY_ENV, bad)
    with pytest.raises(UserError, match="REUNIFY_DATA_KEY"):
        crypto.encrypt("x")


def test_the_key_file_is_created_private_once_and_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "reunify.key"
    assert crypto.create_key_file(path) is True
    first = path.read_text()
    assert crypto.create_key_file(path) is False
    assert path.read_text() == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    monkeypatch.delenv(crypto.KEY_ENV)
    monkeypatch.setenv(crypto.KEY_FILE_ENV, str(path))
    sealed = crypto.encrypt("MARÍA")
    assert crypto.decrypt(sealed) == "MARÍA"
    monkeypatch.setenv(crypto.KEY_ENV, OTHER_KEY)  # the environment wins over the file
    with pytest.raises(UserError):
        crypto.decrypt(sealed)


def test_the_key_file_defaults_to_beside_a_sqlite_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(crypto.KEY_FILE_ENV, raising=False)
    assert crypto.default_key_path(f"sqlite:///{tmp_path}/x.db") == tmp_path / "reunify.key"
    monkeypatch.chdir(tmp_path / "..")
    assert crypto.default_key_path("postgresql://postgres@127.0.0.1/test") == Path.cwd() / "reunify.key"


def test_bulk_helpers_round_trip_and_never_repeat_a_ciphertext() -> None:
    values = ["GARCIA", None, "GARCIA", "", "0123"]
    sealed = crypto.encrypt_many(values)
    assert sealed[1] is None
    assert sealed[0] != sealed[2]
    assert crypto.decrypt_many(sealed) == values


def test_the_blind_index_is_the_same_for_every_way_of_writing_a_number() -> None:
    forms = ["A-012-345-678", "012345678", "12345678", "a 012 345 678"]
    assert len({crypto.a_number_index(f) for f in forms}) == 1
    assert crypto.a_number_index("012345679") != crypto.a_number_index("012345678")
    assert crypto.a_number_index("12-34") is None
    assert crypto.a_number_index_many([*forms, None]) == [crypto.a_number_index(f) for f in forms] + [None]
    assert "012345678" not in (crypto.a_number_index("012345678") or "")


def test_the_name_index_ignores_accents_and_case() -> None:
    assert crypto.name_index("García López", "María") == crypto.name_index("GARCIA LOPEZ", "MARIA")
    assert crypto.name_index("GARCIA LOPEZ", "MARIA") != crypto.name_index("MARIA", "GARCIA LOPEZ")
    assert crypto.name_index(" ", None) is None


@given(st.text())
def test_any_text_round_trips(value: str) -> None:
    assert crypto.decrypt(crypto.encrypt(value)) == value


def test_a_tampered_ciphertext_is_refused() -> None:
    sealed = bytearray(crypto.encrypt("MARÍA") or b"")
    sealed[-1] ^= 1
    with pytest.raises(UserError):
        crypto.decrypt(bytes(sealed))
