"""`reunify report` on the command line: writes the files, and bad input is one line, exit 1."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from reunify.report.config import SHIPPED_CONFIG

from .deliverable_builder import Expected


class Done:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run the console entry point in-process, as `reunify ARGS...`; returns exit status and output."""
    from reunify.cli.main import run as entry

    def call(*args: str) -> Done:
        monkeypatch.setattr(sys, "argv", ["reunify", *args])
        capsys.readouterr()
        code = 0
        try:
            entry()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return Done(code, out, err)

    return call


def test_report_writes_html_and_xlsx_from_another_directory(
    run,
    oig_deliverable: tuple[Path, Expected],
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    src, expected = oig_deliverable
    done = run("report", "--out", str(tmp_path), "--deliverable", str(src), "--format", "html,xlsx",
               "--as-of", "2019-07-08", "--pseudonymize", "a-long-enough-key-1234")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (
        f"{expected.headline_families} separated families at {expected.headline_ports} ports" in done.stdout
    )
    for name in ("report.html", "tables.xlsx", "separated_members.csv", "separated_members.xlsx"):
        assert (tmp_path / name).is_file()
    assert not (tmp_path / "report.pdf").exists()


def test_bad_input_is_one_line_and_exit_1(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for args, fragment in [
        (("report", "--out", str(tmp_path / "none")), "run `reunify audit"),
        (("report", "--out", str(tmp_path), "--as-of", "July 8"), "YYYY-MM-DD"),
        (("report", "--out", str(tmp_path), "--format", "docx"), "unknown report format"),
    ]:
        done = run(*args)
        assert done.returncode == 1
        assert done.stderr.startswith("error: ")
        assert fragment in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        assert "Traceback" not in done.stderr


def test_config_replaces_the_claim(oig_deliverable: tuple[Path, Expected], tmp_path: Path) -> None:
    from importlib.resources import files

    from reunify.report import build_report

    src, expected = oig_deliverable
    config = yaml.safe_load(files("reunify.report").joinpath(SHIPPED_CONFIG).read_text("utf-8"))
    config["claims"] = [
        {"id": "laredo-june", "text": "a test claim", "said_by": "a tester", "said_on": "2018-07-01",
         "claimed": 3, "window": {"from": "2018-06-01", "to": "2018-06-30"},
         "place": {"label": "Laredo field office", "field_offices": ["LAREDO"]}},
    ]  # fmt: skip
    path = tmp_path / "custom.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    result = build_report(src, tmp_path / "out", formats={"xlsx"}, config=path)
    found = sum(
        1 for f in expected.families
        if f.separation_date.month == 6 and f.separation_date.year == 2018 and f.port_code.startswith("23")
    )  # fmt: skip
    assert [(c.claim_id, c.claimed, c.found) for c in result.claims] == [("laredo-june", 3, found)]


def test_malformed_config_is_a_user_error(
    run,
    oig_deliverable: tuple[Path, Expected],
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    src, _ = oig_deliverable
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nheadline: {window: {from: 2018-07-01, to: 2018-06-01}}\n", encoding="utf-8")
    done = run("report", "--out", str(tmp_path), "--deliverable", str(src), "--config", str(bad))
    assert done.returncode == 1
    assert done.stderr.startswith("error: report config")
