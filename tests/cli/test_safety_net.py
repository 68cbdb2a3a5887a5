"""The command line's safety net (``reunify.cli.main.run``): which library errors are the user's.

Bad input a library reports (a path that is not there, a database URL it cannot parse, a store
nobody initialised) becomes one ``error:`` line and exit status 1. Anything else is a bug in
reunify and keeps its traceback, so whoever fixes it sees where it happened.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import sqlalchemy
import sqlalchemy.exc

from reunify.cli import main


def test_a_missing_path_the_user_named_is_their_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "x.csv"
    message = main.bad_input_message(FileNotFoundError(2, "No such file or directory", str(missing)))
    assert message == f"{missing}: no such file or directory"


def test_a_missing_file_inside_the_package_is_a_bug() -> None:
    shipped = Path(main.__file__).resolve().parents[1] / "policy" / "rules" / "gone.yaml"
    assert main.bad_input_message(FileNotFoundError(2, "No such file or directory", str(shipped))) is None


def test_an_unparseable_database_url_is_the_users() -> None:
    with pytest.raises(sqlalchemy.exc.ArgumentError) as caught:
        sqlalchemy.make_url("not a url at all")
    message = main.bad_input_message(caught.value)
    assert message is not None
    assert "sqlite:///" in message
    assert "postgresql://" in message


def test_a_store_without_tables_means_run_init(tmp_path: Path) -> None:
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(sqlalchemy.exc.OperationalError) as caught, engine.connect() as conn:
        conn.execute(sqlalchemy.text("SELECT * FROM audit_log"))
    engine.dispose()
    message = main.bad_input_message(caught.value)
    assert message is not None
    assert "reunify init" in message


def test_other_library_errors_are_bugs(tmp_path: Path) -> None:
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(sqlalchemy.exc.OperationalError) as caught, engine.connect() as conn:
        conn.execute(sqlalchemy.text("SELEC 1"))  # a syntax error is reunify's, not the user's
    engine.dispose()
    assert main.bad_input_message(caught.value) is None
    assert main.bad_input_message(ValueError("invalid literal for int()")) is None
    assert main.bad_input_message(KeyError("family_id")) is None


def test_run_turns_bad_input_into_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def command(standalone_mode: bool) -> None:
        raise FileNotFoundError(2, "No such file or directory", str(tmp_path / "in.csv"))

    monkeypatch.setattr(main, "app", command)
    with pytest.raises(SystemExit) as exited:
        main.run()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.strip() == f"error: {tmp_path / 'in.csv'}: no such file or directory"


def test_run_keeps_the_traceback_of_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    def command(standalone_mode: bool) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(main, "app", command)
    with pytest.raises(ZeroDivisionError):
        main.run()


def test_a_user_error_spanning_lines_is_printed_as_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from reunify.errors import UserError

    def command(standalone_mode: bool) -> None:
        raise UserError("first part\n  second part")

    monkeypatch.setattr(main, "app", command)
    monkeypatch.setattr(sys, "argv", ["reunify"])
    with pytest.raises(SystemExit) as exited:
        main.run()
    assert exited.value.code == 1
    assert capsys.readouterr().err == "error: first part second part\n"
