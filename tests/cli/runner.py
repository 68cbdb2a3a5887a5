"""Run the real ``reunify`` console script as a user does: a subprocess in a working directory.

- ``Run``: one finished invocation (argv, exit status, stdout, stderr).
- ``invoke(exe, argv, cwd, stdin)``: run one and wait.
- ``Prefetch`` / ``selected_params``: start every case a module's table selected together, so a table
  costs about its slowest commands rather than their sum; each test then waits for its own case.

The environment of every run: the shared conftest's test data key, no ambient database URL, no
secret key, and a wide plain terminal (help text is not wrapped or coloured).
"""

from __future__ import annotations

import os
import shlex
import subprocess
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import pytest

TIMEOUT_S = 90
WORKERS = 4

#: Planted identities: a failure caused by a file holding them must never print them.
PLANTED_NAME = "ZZTESTNAME"
PLANTED_A_NUMBER = "A-099-999-999"
PLANTED_FORMS = (PLANTED_NAME, PLANTED_A_NUMBER, "099999999", "099-999-999")


@dataclass(frozen=True)
class Run:
    """One finished invocation of ``reunify``."""

    argv: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str

    def error_lines(self) -> list[str]:
        """stderr lines that start with ``error:``."""
        return [line for line in self.stderr.splitlines() if line.startswith("error:")]

    def describe(self) -> str:
        """What happened, for an assertion message."""
        return (
            f"reunify {shlex.join(self.argv)} -> exit {self.exit_code}\n"
            f"--- stdout ---\n{self.stdout[-3000:]}\n--- stderr ---\n{self.stderr[-3000:]}"
        )


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a user's shell would give, minus anything that selects a store or a secret."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REUNIFY_")}
    env["REUNIFY_DATA_KEY"] = os.environ["REUNIFY_DATA_KEY"]  # set by tests/conftest.py
    env.update({"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb", "PYTHONIOENCODING": "utf-8"})
    env.update(extra or {})
    return env


def invoke(exe: Path, argv: list[str], cwd: Path, stdin: str = "", env: dict[str, str] | None = None) -> Run:
    """Run ``reunify *argv`` in ``cwd`` (``env`` added to ``cli_env()``) and wait.

    At most TIMEOUT_S: a command that hangs comes back as exit status -9, so its test fails.
    """
    cwd.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            [str(exe), *argv],
            cwd=cwd,
            env=cli_env(env),
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return Run(tuple(argv), -9, out, f"TIMED OUT after {TIMEOUT_S} s")
    return Run(tuple(argv), done.returncode, done.stdout, done.stderr)


@dataclass
class Prefetch:
    """Runs keyed by case id: started together on a pool (``futures``), or one at a time on demand.

    Under pytest-xdist each worker collects every item but runs only some, so starting them all
    would run each case on every worker: there the runs are left in ``later`` and made when asked.
    """

    exe: Path
    futures: dict[str, Future[Run]]
    later: dict[str, tuple[list[str], Path, str]]

    def result(self, case_id: str) -> Run:
        if case_id in self.futures:
            return self.futures[case_id].result()
        argv, cwd, stdin = self.later[case_id]
        return invoke(self.exe, argv, cwd, stdin)


def selected_params(request: pytest.FixtureRequest, param_name: str) -> dict[str, object]:
    """The values of ``param_name`` of every item of the requesting module that this run selected."""
    chosen: dict[str, object] = {}
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        same_module = isinstance(item, pytest.Function) and item.module is request.module
        if same_module and callspec is not None and param_name in callspec.params:
            chosen[callspec.id] = callspec.params[param_name]
    return chosen
