"""``reunify init``: creates or migrates a database, makes a private key file, and fails in one line."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reunify.cli.main import app, run
from reunify.store import crypto
from reunify.store.engine import current_revision, head_revisions

HEAD = "+".join(head_revisions())


def test_init_migrates_each_backend_and_says_where(database_url: str) -> None:
    result = CliRunner().invoke(app, ["init", "--db", database_url])
    assert result.exit_code == 0, result.output
    assert f"revision: {HEAD}" in result.output
    assert "data key: from REUNIFY_DATA_KEY" in result.output
    assert current_revision(database_url) == HEAD
    again = CliRunner().invoke(app, ["init", "--db", database_url])  # a second run only checks
    assert again.exit_code == 0
    assert f"revision: {HEAD}" in again.output


def test_init_creates_a_private_key_file_beside_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(crypto.KEY_ENV)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["init"])  # the default: ./reunify.db
    assert result.exit_code == 0, result.output
    key = tmp_path / "reunify.key"
    assert f"data key: {key} (created" in result.output
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert (tmp_path / "reunify.db").exists()
    second = CliRunner().invoke(app, ["init"])
    assert second.exit_code == 0
    assert f"data key: {key} (existing)" in second.output


def test_init_refuses_a_key_that_is_not_the_databases(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert CliRunner().invoke(app, ["init", "--db", sqlite_url]).exit_code == 0
    monkeypatch.setenv(crypto.KEY_ENV, crypto.generate_key())
    result = _run_cli("init", "--db", sqlite_url)
    assert result.returncode == 1
    assert "not the key this database was encrypted with" in result.stderr


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The console script's entry point (error mapping included), run in this process."""
    import contextlib
    import io

    stdout, stderr = io.StringIO(), io.StringIO()
    code = 0
    with (
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
        pytest.MonkeyPatch.context() as mp,
    ):
        mp.setattr(sys, "argv", ["reunify", *args])
        try:
            run()
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
    return subprocess.CompletedProcess(list(args), code, stdout.getvalue(), stderr.getvalue())


@pytest.mark.parametrize("url", ["postgresql://me:s3cret@127.0.0.1:1/nowhere", "oracle://x@y/z", "::"])
def test_a_bad_database_url_exits_1_with_one_line(url: str) -> None:
    result = _run_cli("init", "--db", url)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    assert "s3cret" not in result.stderr


def test_init_reads_the_database_from_the_environment(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REUNIFY_DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert current_revision(sqlite_url) == HEAD
