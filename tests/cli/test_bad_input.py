"""Bad input to any command: one line that says what to fix, exit status 1, never a traceback.

deliverable.md: "Exit status 0 on success, 1 on a user error with a one-line message that says what
to fix, never a traceback for bad input." A usage error Click catches itself (a missing or unknown
option, a value of the wrong type) exits 2 with its own usage message: also acceptable, also no
traceback. And (COMMON.md) names and alien numbers never reach a message: the input files below
hold a planted name and A-number, and no run may print either.

Each row: the words after ``reunify`` (``{inputs}`` is the directory of files built below,
``{store}`` a freshly initialised SQLite store of the row's own), the exit status, and a fragment of
the message; ``{loaded}`` is the same with ``orr.csv`` ingested. Each row runs in a fresh working
directory, so the default store ``reunify.db`` is empty there. A row marked ``wrong=`` is a command
that does not keep the contract yet (strict xfail: it turns red the day the command is fixed, so the
mark comes off).
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from .runner import PLANTED_A_NUMBER, PLANTED_FORMS, PLANTED_NAME, Prefetch, Run, selected_params

PG_DOWN = "postgresql://nobody@127.0.0.1:1/x"  # nothing listens on port 1
NOT_A_URL = "notaurl://"
GOOD_PASSWORD = "correct horse battery staple\n"

ORR_HEADER = (
    "record_id,a_number,family_name,given_name,dob,sex,citizenship,referral_date,referring_agency,"
    "referring_location,separated_from_parent,parent_name,parent_a_number,discharge_date,discharge_type,"
    "sponsor_relationship"
)
ORR_GOOD_ROW = (
    f"R1,{PLANTED_A_NUMBER},{PLANTED_NAME},JOSE,2012-03,M,GTM,2018-05-23,CBP-OFO,2506,Y,"
    f"MARIA {PLANTED_NAME},A012345678,,,"
)
ORR_BAD_ROW = (  # a referral date that is no date, an unknown sex code: the row is quarantined
    f"R2,{PLANTED_A_NUMBER},{PLANTED_NAME},ANA,2011-13-45,Q,GTM,someday,CBP-OFO,2506,Y,"
    f"MARIA {PLANTED_NAME},{PLANTED_A_NUMBER},,,"
)


@dataclass(frozen=True)
class Bad:
    """``reunify <argv>`` must exit ``exit`` with a message containing ``says``."""

    argv: str
    exit: int
    says: str
    stdin: str = ""


def bad(argv: str, exit: int, says: str, *, stdin: str = "", wrong: str | None = None) -> object:
    """One row of the table; ``wrong`` says what the command does instead (a strict xfail)."""
    marks = [pytest.mark.xfail(strict=True, reason=wrong)] if wrong else []
    return pytest.param(Bad(argv, exit, says, stdin), id=argv.replace("{inputs}/", ""), marks=marks)


BAD_INPUT = [
    # dates, reason codes, options
    bad("policy check --date 2018-13-45 --reason PROSECUTION", 1, "--date must be a real date as YYYY-MM-DD"),
    bad("policy check --date 2018-05-21 --reason NOT_A_CODE", 1, "unknown reason code"),
    bad("policy check --reason PROSECUTION", 2, "Missing option '--date'"),
    bad("policy check --date 2018-05-21 --rules {inputs}/missing.yaml", 1, "no such rule file"),
    bad("policy show NO_SUCH_FRAMEWORK", 1, "no framework"),
    bad("reasons normalize", 2, "Missing argument"),
    bad("reasons coverage {inputs}/headerless.csv --column reason", 1, "no column 'reason'"),
    bad("schema show no_such_kind", 1, "unknown source kind"),
    bad("audit --out out --from 2018-99-01 --db {loaded}", 1, "--from must be a date"),
    bad("audit --out out --as-of yesterday --db {loaded}", 1, "--as-of must be a date"),
    bad("audit --out out --to 2018-99-01", 1, "--to must be a date"),
    bad("audit --out out --engine nope", 1, "--engine must be duckdb or spark"),
    bad("audit --out out --extracts {inputs}/missing_dir", 1, "not a directory"),
    bad("audit --out out --bogus", 2, "No such option"),
    bad("report --out {inputs}/empty_dir --as-of 2018-99-01", 1, "--as-of '2018-99-01' is not a date"),
    bad("report --out {inputs}/empty_dir", 1, "has no separated_families.csv"),
    bad("report --out {inputs}/empty_dir --format html,docx", 1, "unknown report format"),
    bad("evaluate --truth {inputs}/missing_dir --pred {inputs}/empty_dir", 1, "missing"),
    # synth and demo
    bad("synth --seed 1 --out scenario --scale 0", 1, "--scale must be a whole number of at least 1"),
    bad("synth --seed 1 --out scenario --noise extreme", 1, "--noise must be one of"),
    bad("synth --seed 1 --out {inputs}/a_file.txt", 1, "is a file"),
    bad("demo --out {inputs}/a_file.txt", 1, "is a file"),
    # ingest: whole-file problems stop the file before anything is stored
    bad("ingest {inputs}/missing.csv", 1, "no such file"),
    bad("ingest {inputs}/empty.csv", 1, "the file is empty"),
    bad("ingest {inputs}/not_utf8.csv", 1, "is not UTF-8"),
    bad("ingest {inputs}/unknown_header.csv", 1, "unknown file kind"),
    bad("ingest {inputs}/headerless.csv", 1, "unknown file kind"),
    bad("ingest {inputs}/headerless.csv --source orr_referrals", 1, "missing required column 'record_id'"),
    bad("ingest {inputs}/ragged.csv --db {store}", 1, "ragged rows"),
    bad("ingest {inputs}/nul.csv", 1, "NUL byte"),
    bad("ingest {inputs}/headerless_repeat.csv", 1, "have the same name"),
    bad("ingest {inputs}/orr.csv --mapping {inputs}/unknown_key.yaml", 1, "unknown mapping key"),
    bad("ingest {inputs}/orr.csv --mapping {inputs}/missing.yaml", 1, "mapping file not found"),
    bad("ingest {inputs}/orr.csv --source no_such_kind", 1, "unknown source kind"),
    # the store: unreachable, malformed, not initialised
    bad(f"init --db {NOT_A_URL}", 1, "unsupported database"),
    bad(f"init --db {PG_DOWN}", 1, "cannot reach the database"),
    bad("init --db postgresql://nobody@localhost:notaport/x", 1, "database URL"),
    bad(f"ingest {{inputs}}/orr.csv --db {PG_DOWN}", 1, "cannot reach the database"),
    bad(f"ingest {{inputs}}/orr.csv --db {NOT_A_URL}", 1, "unsupported database"),
    bad(f"audit --out out --db {PG_DOWN}", 1, "cannot reach the database"),
    bad(f"policy rejudge --db {NOT_A_URL}", 1, "unsupported database"),
    bad("log verify", 1, "reunify init"),
    bad("log verify --expect-head 12", 1, "--expect-head takes SEQ:HASH"),
    bad("quarantine list", 1, "reunify init"),
    bad("quarantine show 999 --db {store}", 1, "no quarantined row 999"),
    # review, accounts, the web application
    bad("review accept not-an-id", 1, "give a finding id"),
    bad("review accept Fdeadbeef01 --db {store}", 1, "no finding or candidate"),
    bad("users add bob --role wizard --password-stdin", 1, "unknown role 'wizard'", stdin=GOOD_PASSWORD),
    bad("users add bob --role officer --password-stdin", 1, "at least 12 characters", stdin="short\n"),
    bad("users disable nobody --db {store}", 1, "no user 'nobody'"),
    bad("users grant nobody", 1, "give exactly one of --port, --identities, --family"),
    bad("serve --host 0.0.0.0 --port 0", 1, "REUNIFY_SECRET_KEY"),
    bad("serve --workers 0", 2, "--workers"),
    bad("frobnicate", 2, "No such command"),
]


def _write_inputs(d: Path) -> None:
    """The files the table names; each holds the planted name and A-number."""
    (d / "empty.csv").write_bytes(b"")
    (d / "orr.csv").write_text(f"{ORR_HEADER}\n{ORR_GOOD_ROW}\n", "utf-8")
    (d / "not_utf8.csv").write_bytes(f"{ORR_HEADER}\n{ORR_GOOD_ROW}É\n".encode("cp1252"))
    (d / "unknown_header.csv").write_text(
        f"case_no,surname,alien_no\n1,{PLANTED_NAME},{PLANTED_A_NUMBER}\n", "utf-8"
    )
    # Exported without a header: the first line, read as the header, is a person.
    person = f"R9,{PLANTED_A_NUMBER},{PLANTED_NAME},JOSE,2012-01-01,M,GTM,2018-05-23,CBP-OFO,2506,Y"
    row = f"{person},MARIA,A012345678"
    (d / "headerless.csv").write_text(f"{row}\n{row}\n", "utf-8")
    repeat = f"{person},{PLANTED_NAME}"  # the name twice: a "header" with a repeated column
    (d / "headerless_repeat.csv").write_text(f"{repeat}\n", "utf-8")
    # Every row short of the header's fields: the wrong delimiter, not bad rows.
    (d / "ragged.csv").write_text(ORR_HEADER + "\n" + f"{person}\n" * 12, "utf-8")
    (d / "nul.csv").write_text(f"{ORR_HEADER}\n{ORR_GOOD_ROW}\x00\n", "utf-8")
    (d / "unknown_key.yaml").write_text(
        "kind: orr_referrals\nsource_system: test\nsurname_colum: family_name\n"
        "columns:\n  record_id: record_id\n",
        "utf-8",
    )
    (d / "a_file.txt").write_text("not a directory\n", "utf-8")
    (d / "empty_dir").mkdir()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("inputs")
    _write_inputs(d)
    return d


@pytest.fixture(scope="module")
def initialised_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store made by the init command itself (in-process, once), copied for each row that needs one."""
    from reunify.cli.init_cmd import init

    path = tmp_path_factory.mktemp("store") / "reunify.db"
    init(db=f"sqlite:///{path}")
    return path


@pytest.fixture(scope="module")
def loaded_store(initialised_store: Path, inputs: Path) -> Path:
    """``initialised_store`` with ``orr.csv`` loaded by the ingest command (in-process, once)."""
    from reunify.cli.ingest_cmd import ingest

    path = initialised_store.with_name("loaded.db")
    shutil.copy(initialised_store, path)
    ingest([inputs / "orr.csv"], db=f"sqlite:///{path}")
    return path


def _argv(case: Bad, inputs: Path, cwd: Path, stores: dict[str, Path]) -> list[str]:
    """The row's words with its placeholders filled; each ``{store}``/``{loaded}`` gets a copy of its own."""
    urls: dict[str, str] = {}
    for name, original in stores.items():
        if f"{{{name}}}" in case.argv:
            cwd.mkdir(parents=True, exist_ok=True)
            shutil.copy(original, cwd / f"{name}.db")
            urls[name] = f"sqlite:///{cwd / f'{name}.db'}"
    return shlex.split(case.argv.format(inputs=inputs, **urls))


@pytest.fixture(scope="module")
def bad_runs(
    request: pytest.FixtureRequest,
    prefetch: Callable[[dict[str, tuple[list[str], Path, str]]], Prefetch],
    inputs: Path,
    initialised_store: Path,
    loaded_store: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Prefetch:
    """Every selected row, each in a fresh working directory, started together."""
    root = tmp_path_factory.mktemp("work")
    runs: dict[str, tuple[list[str], Path, str]] = {}
    for n, (cid, case) in enumerate(selected_params(request, "case").items()):
        assert isinstance(case, Bad)
        cwd = root / f"case{n:02d}"
        stores = {"store": initialised_store, "loaded": loaded_store}
        runs[cid] = (_argv(case, inputs, cwd, stores), cwd, case.stdin)
    return prefetch(runs)


def assert_no_identity(run: Run) -> None:
    """No planted name or A-number, in any spelling, on either stream."""
    leaked = [form for form in PLANTED_FORMS if form in run.stdout or form in run.stderr]
    assert not leaked, f"printed planted identities {leaked}\n{run.describe()}"


def assert_user_error(run: Run, says: str) -> None:
    """Exit 1; exactly one ``error:`` line, the last thing on stderr, saying ``says``; no traceback."""
    assert "Traceback" not in run.stdout + run.stderr, run.describe()
    assert run.exit_code == 1, run.describe()
    errors = run.error_lines()
    assert len(errors) == 1, f"want one `error:` line, got {len(errors)}\n{run.describe()}"
    assert says in errors[0], f"the error line does not say {says!r}\n{run.describe()}"
    last = [line for line in run.stderr.splitlines() if line.strip()][-1]
    assert last == errors[0], f"the message runs on past one line\n{run.describe()}"


def assert_usage_error(run: Run, says: str) -> None:
    """Click's own usage error: exit 2, its usage message naming the problem, no traceback."""
    assert "Traceback" not in run.stdout + run.stderr, run.describe()
    assert run.exit_code == 2, run.describe()
    assert "Usage:" in run.stderr, run.describe()
    flat = re.sub(r"[\s│]+", " ", run.stderr)  # Click's box may wrap the message
    assert says in flat, f"the usage error does not say {says!r}\n{run.describe()}"


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_gets_one_line_and_exit_status(
    case: Bad, bad_runs: Prefetch, request: pytest.FixtureRequest
) -> None:
    run = bad_runs.result(request.node.callspec.id)
    if case.exit == 2:
        assert_usage_error(run, case.says)
    else:
        assert_user_error(run, case.says)
    assert_no_identity(run)


def test_a_bad_row_is_quarantined_not_echoed(
    run_reunify: Callable[..., Run], inputs: Path, initialised_store: Path, tmp_path: Path
) -> None:
    """A row the ingest cannot accept is counted and quarantined with its reason, its values unprinted."""
    store = tmp_path / "store.db"
    shutil.copy(initialised_store, store)
    url = f"sqlite:///{store}"
    extract = tmp_path / "orr_referrals.csv"
    extract.write_text(f"{ORR_HEADER}\n{ORR_GOOD_ROW}\n{ORR_BAD_ROW}\n", "utf-8")

    loaded = run_reunify("ingest", str(extract), "--db", url)
    assert loaded.exit_code == 0, loaded.describe()
    assert "2 rows read, 1 accepted, 1 quarantined" in loaded.stdout, loaded.describe()
    assert "referral_date is not a date" in loaded.stdout, loaded.describe()
    assert_no_identity(loaded)

    listed = run_reunify("quarantine", "list", "--db", url)
    assert listed.exit_code == 0, listed.describe()
    assert "R2" in listed.stdout, listed.describe()  # the record id says which row; the person stays out
    assert_no_identity(listed)
