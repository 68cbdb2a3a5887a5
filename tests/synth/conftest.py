"""Scenarios shared by the synth tests: generated once per session (about 3 s each)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from reunify.synth import generate

RUN = [sys.executable, "-c", "from reunify.cli.main import run; run()"]


class Scenario:
    """A generated scenario directory with its files read as text tables (blank = "")."""

    def __init__(self, root: Path, summary: dict[str, Any]) -> None:
        self.root = root
        self.summary = summary
        self._cache: dict[str, pl.DataFrame] = {}

    def table(self, name: str) -> pl.DataFrame:
        """``encounters``, ``truth/people`` ... read with every column as text."""
        if name not in self._cache:
            df = pl.read_csv(self.root / f"{name}.csv", infer_schema=False)
            self._cache[name] = df.with_columns(pl.all().fill_null(""))
        return self._cache[name]


def _make(tmp_path_factory: pytest.TempPathFactory, name: str, **kw: Any) -> Scenario:
    root = tmp_path_factory.mktemp(name)
    return Scenario(root, generate(out=root, **kw))


@pytest.fixture(scope="session")
def s1(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """seed 1, scale 1, default noise: the scenario the done-criteria name."""
    return _make(tmp_path_factory, "s1", seed=1)


@pytest.fixture(scope="session")
def s1_cli(tmp_path_factory: pytest.TempPathFactory) -> tuple[Scenario, subprocess.CompletedProcess[str]]:
    """seed 1 again, written by the command line `reunify synth --seed 1 --out DIR`."""
    root = tmp_path_factory.mktemp("s1_cli") / "scenario"
    done = subprocess.run(
        [*RUN, "synth", "--seed", "1", "--out", str(root)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((root / "truth" / "summary.json").read_text(encoding="utf-8"))
    return Scenario(root, summary), done


@pytest.fixture(scope="session")
def s2(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return _make(tmp_path_factory, "s2", seed=2)


@pytest.fixture(scope="session")
def s1_harsh(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return _make(tmp_path_factory, "s1_harsh", seed=1, noise="harsh")


@pytest.fixture(scope="session")
def s1_low(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return _make(tmp_path_factory, "s1_low", seed=1, noise="low")
