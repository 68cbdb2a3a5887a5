"""A load is one transaction.

Killed half-way with kill -9, the store holds nothing of it; a re-run completes it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from reunify.sources.kinds import get_kind
from reunify.store.engine import make_engine

from .files import SAMPLE

ROWS = 30_000
BAD_EVERY = 1_000  # every 1000th row has sex "X": quarantined


def _big_encounters(path: Path) -> Path:
    columns = get_kind("encounters").columns
    base = dict(SAMPLE["encounters"])
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(columns) + "\n")
        for i in range(1, ROWS + 1):
            base["record_id"], base["event_id"] = f"E{i}", f"EV{i}"
            base["sex"] = "X" if i % BAD_EVERY == 0 else "F"
            fh.write(",".join(base[c] for c in columns) + "\n")
    return path


def _counts(url: str) -> tuple[int, int, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(  # type: ignore[return-value]
                int(conn.execute(text(sql)).scalar_one())
                for sql in (
                    "SELECT count(*) FROM load_batches",
                    "SELECT coalesce(sum(row_count), 0) FROM staging_blocks",
                    "SELECT count(*) FROM quarantine",
                )
            )
    finally:
        engine.dispose()


def test_kill_9_mid_load_leaves_nothing_and_a_rerun_completes(migrated_url: str, tmp_path: Path) -> None:
    path = _big_encounters(tmp_path / "encounters.csv")
    exe = Path(sys.executable).parent / "reunify"
    env = {**os.environ, "REUNIFY_INGEST_BLOCK_BYTES": str(64 * 1024)}
    args = [str(exe), "ingest", str(path), "--db", migrated_url]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()  # the first progress line: the transaction is open and rows are written
        assert "rows read" in line, line
        assert "(100%)" not in line, "the file loaded before it could be killed: make it bigger"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert _counts(migrated_url) == (0, 0, 0)

    done = subprocess.run(
        args, capture_output=True, text=True, check=False, timeout=120
    )  # default block size
    assert done.returncode == 0, done.stderr
    quarantined = ROWS // BAD_EVERY
    assert f"{ROWS} rows read, {ROWS - quarantined} accepted, {quarantined} quarantined" in done.stdout
    assert _counts(migrated_url) == (1, ROWS - quarantined, quarantined)
