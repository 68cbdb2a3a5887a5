"""--scale multiplies the background (the OIG figures stay); the command line refuses bad input."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reunify.synth import generate

from .conftest import RUN, Scenario


@pytest.fixture(scope="module")
def s1_scale2(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    root = tmp_path_factory.mktemp("scale2")
    return Scenario(root, generate(seed=1, out=root, scale=2))


def test_scale_two_doubles_the_background_and_keeps_the_oig_figures(
    s1: Scenario, s1_scale2: Scenario
) -> None:
    a, b = s1.summary, s1_scale2.summary
    fixed = 17_500  # the 5,844 May-June 2018 families are not scaled (about 17,500 rows)
    per_k = a["rows"]["encounters.csv"] - fixed
    assert b["rows"]["encounters.csv"] - fixed == pytest.approx(2 * per_k, rel=0.08)
    for key in (
        "asylum_families_may_june_2018",
        "separated_may_june_2018",
        "separated_may_june_2018_ports",
        "separated_may_june_2018_by_reason",
        "table1",
        "separated_jul_nov_2018",
        "immigration_history_children",
    ):
        assert a[key] == b[key], key
    assert b["separated_fy2016_2017"] == 2 * a["separated_fy2016_2017"]
    rm = s1_scale2.table("truth/record_map")
    assert rm.height == sum(v for k, v in b["rows"].items() if not k.startswith("truth/"))


def test_cli_writes_a_scenario(s1_cli: tuple[Scenario, subprocess.CompletedProcess[str]]) -> None:
    scenario, done = s1_cli
    assert "60 in May-June 2018 at 11 ports" in done.stdout
    assert "5,844 asylum-seeking families" in done.stdout
    assert f"encounters.csv {scenario.summary['rows']['encounters.csv']:,}" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scale", "0"], "--scale"),
        (["--noise", "loud"], "--noise"),
    ],
)
def test_cli_refuses_bad_options(tmp_path: Path, args: list[str], message: str) -> None:
    done = subprocess.run(
        [*RUN, "synth", "--seed", "1", "--out", str(tmp_path / "x"), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error:")
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_refuses_an_out_that_is_a_file(tmp_path: Path) -> None:
    f = tmp_path / "file.txt"
    f.write_text("x")
    done = subprocess.run(
        [*RUN, "synth", "--seed", "1", "--out", str(f)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "error:" in done.stderr
    assert "Traceback" not in done.stderr
