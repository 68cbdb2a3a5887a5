"""``reunify users`` and ``reunify serve``'s refusals, through the command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from reunify.cli.main import app

runner = CliRunner()


def test_users_add_grant_list_disable(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    added = runner.invoke(
        app,
        ["users", "add", "rosa", "--role", "officer", "--port", "2304", "--password-stdin", "--db", db],
        input="a-long-enough-password\n",
    )
    assert added.exit_code == 0, added.output
    granted = runner.invoke(app, ["users", "grant", "rosa", "--port", "NOGALES", "--db", db])
    assert granted.exit_code == 0
    assert "port:2604" in granted.output
    listed = runner.invoke(app, ["users", "list", "--db", db])
    assert "rosa\tofficer\tactive\tport:2304, port:2604" in listed.output
    assert runner.invoke(app, ["users", "disable", "rosa", "--db", db]).exit_code == 0
    assert "rosa\tofficer\tdisabled" in runner.invoke(app, ["users", "list", "--db", db]).output
    verified = runner.invoke(app, ["log", "verify", "--db", db])
    assert verified.exit_code == 0
    assert "4 entries" in verified.output


def test_seed_demo_prints_each_password_once(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    first = runner.invoke(app, ["users", "seed-demo", "--db", db])
    assert first.exit_code == 0
    assert len([line for line in first.output.splitlines() if "demo-" in line]) == 6
    again = runner.invoke(app, ["users", "seed-demo", "--db", db])
    assert "already exist" in again.output
    assert "demo-officer" not in again.output


def test_serve_refuses_dev_mode_off_localhost() -> None:
    from reunify.cli.main import run  # noqa: F401 (the app's error handling is what users see)

    result = runner.invoke(app, ["serve", "--dev", "--host", "0.0.0.0"])
    assert result.exit_code != 0
    assert "localhost only" in str(result.exception)
