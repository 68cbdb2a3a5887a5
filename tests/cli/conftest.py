"""Fixtures for running the real ``reunify`` console script (helpers in runner.py).

- ``reunify_exe`` (session): the installed console script (next to the running Python, else on PATH).
- ``run_reunify``: ``run_reunify(*argv, stdin="", env=None)`` runs a command now, in the test's own
  working directory (``tmp_path / "work"``, the same for every call of one test).
- ``prefetch`` (module): ``prefetch({case_id: (argv, cwd, stdin)})`` starts a table's runs together
  on a small shared pool and returns a ``Prefetch`` to await each by id.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .runner import WORKERS, Prefetch, Run, invoke


@pytest.fixture(scope="session")
def reunify_exe() -> Path:
    """The console script ``pip install`` made (``[project.scripts]`` in pyproject.toml)."""
    beside = Path(sys.executable).parent / "reunify"
    found = beside if beside.is_file() else (Path(p) if (p := shutil.which("reunify")) else None)
    if found is None:
        pytest.fail("no `reunify` console script: install the package (pip install -e .)")
    return found


@pytest.fixture
def run_reunify(reunify_exe: Path, tmp_path: Path) -> Callable[..., Run]:
    """``run_reunify(*argv, stdin="", env=None)``: a command in the test's own working directory."""

    def run(*argv: str, stdin: str = "", env: dict[str, str] | None = None) -> Run:
        return invoke(reunify_exe, list(argv), tmp_path / "work", stdin, env)

    return run


@pytest.fixture(scope="session")
def _pool() -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="reunify-cli")
    yield pool
    pool.shutdown(wait=True, cancel_futures=True)  # a run stopped early (-x) leaves no work behind


@pytest.fixture(scope="module")
def prefetch(
    _pool: ThreadPoolExecutor, reunify_exe: Path
) -> Callable[[dict[str, tuple[list[str], Path, str]]], Prefetch]:
    """``prefetch({case_id: (argv, cwd, stdin)})`` starts them all on the shared pool (not under xdist)."""

    def start(runs: dict[str, tuple[list[str], Path, str]]) -> Prefetch:
        if os.environ.get("PYTEST_XDIST_WORKER"):
            return Prefetch(reunify_exe, {}, dict(runs))
        futures = {cid: _pool.submit(invoke, reunify_exe, *run) for cid, run in runs.items()}
        return Prefetch(reunify_exe, futures, {})

    return start
