"""Which store a command uses (deliverable.md): a file in the working directory by default;
``--db URL`` or ``REUNIFY_DATABASE_URL`` selects another, a PostgreSQL URL in production.

Each backend in turn (``database_url`` from tests/conftest.py; PostgreSQL is skipped when the
server is not there): ``init --db URL`` makes the store, then ``log verify`` finds it through the
environment alone.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .runner import Run


def test_the_default_store_is_a_file_in_the_working_directory(
    run_reunify: Callable[..., Run], tmp_path: Path
) -> None:
    made = run_reunify("init")
    assert made.exit_code == 0, made.describe()
    assert (tmp_path / "work" / "reunify.db").is_file(), made.describe()
    assert "sqlite:///reunify.db" in made.stdout, made.describe()

    checked = run_reunify("log", "verify")  # no --db: the same file
    assert checked.exit_code == 0, checked.describe()
    assert "audit log verifies" in checked.stdout, checked.describe()


def test_db_and_the_environment_select_the_same_store(
    run_reunify: Callable[..., Run], database_url: str, tmp_path: Path
) -> None:
    made = run_reunify("init", "--db", database_url)
    assert made.exit_code == 0, made.describe()
    assert not (tmp_path / "work" / "reunify.db").exists(), "init --db also made the default file"

    checked = run_reunify("log", "verify", env={"REUNIFY_DATABASE_URL": database_url})
    assert checked.exit_code == 0, checked.describe()
    assert "audit log verifies" in checked.stdout, checked.describe()
    assert not (tmp_path / "work" / "reunify.db").exists(), "log verify ignored REUNIFY_DATABASE_URL"
