"""Benchmark `reunify ingest` against the floor: DuckDB alone reading the same CSV.

For each size (default 10k, 100k, 1M rows) a v1 encounters.csv is generated (vectorised, with
varied names, dates, A-numbers and a sprinkle of bad rows), then, each in a fresh process so
peak memory is its own:

- floor:  DuckDB ``CREATE TABLE AS SELECT * FROM read_csv(..., all_varchar=true)`` (in memory);
- ingest: :func:`reunify.sources.ingest_file` into a fresh, migrated SQLite file (and PostgreSQL
  with ``--pg``), with encryption, checks and quarantine: what ``reunify ingest`` does after start-up.

Times are the median of ``--repeat`` runs (1M rows: once unless ``--repeat-large``). Peak memory is
the child's VmHWM (its own high-water RSS since exec; ``ru_maxrss`` would inherit the parent's,
which holds the generated data). Prints a markdown table (paste it into BENCHMARKS.md).

    python benchmarks/ingest_bench.py [--sizes 10000,100000,1000000] [--pg] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import numpy as np
import polars as pl

SURNAMES = [
    "GARCIA",
    "LOPEZ",
    "HERNANDEZ",
    "MARTINEZ",
    "PEREZ",
    "RAMIREZ",
    "CRUZ",
    "REYES",
    "MORALES",
    "ORTIZ",
]
GIVEN = ["MARIA", "JOSE", "ANA", "LUIS", "CARLOS", "ROSA", "JUAN", "SOFIA", "MIGUEL", "LUCIA"]
PORTS = [("2506", "EL PASO", "EL PASO"), ("2304", "LAREDO", "LAREDO"), ("2504", "SAN YSIDRO", "SAN DIEGO")]
BENCH_KEY = "YmVuY2htYXJrLWtleS0zMi1ieXRlcy1sb25nLW9rISE="  # a throwaway key for the benchmark only


def generate(path: Path, n: int, seed: int = 7) -> Path:
    """A v1 encounters file of ``n`` rows; about 0.1% have a bad date or sex (quarantined)."""
    rng = np.random.default_rng(seed)
    idx = np.arange(1, n + 1)
    port = rng.integers(0, len(PORTS), n)
    day = rng.integers(0, 365, n)
    enc = pl.Series(np.datetime64("2018-01-01") + day.astype("timedelta64[D]")).dt.strftime("%Y-%m-%d")
    born = pl.Series(np.datetime64("1960-01-01") + rng.integers(0, 20000, n).astype("timedelta64[D]"))
    dob = born.dt.strftime("%m/%d/%Y")
    bad = rng.random(n) < 0.001
    frame = pl.DataFrame(
        {
            "record_id": [f"E{i}" for i in idx],
            "event_id": [f"EV{i // 3}" for i in idx],
            "group_id": [f"G{i // 4}" if i % 5 else "" for i in idx],
            "a_number": [
                f"A-{i:03d}-{(i * 7) % 1000:03d}-{(i * 13) % 1000:03d}" if i % 9 else "" for i in idx
            ],
            "family_name": pl.Series(SURNAMES)[rng.integers(0, 10, n)]
            + " "
            + pl.Series(SURNAMES)[rng.integers(0, 10, n)],
            "given_name": pl.Series(GIVEN)[rng.integers(0, 10, n)],
            "dob": dob,
            "sex": np.where(bad, "X", np.where(rng.random(n) < 0.5, "F", "M")),
            "citizenship": np.where(rng.random(n) < 0.6, "GTM", "HND"),
            "port_code": [PORTS[p][0] for p in port],
            "port_name": [PORTS[p][1] for p in port],
            "field_office": [PORTS[p][2] for p in port],
            "encounter_date": enc,
            "asylum_claim": np.where(rng.random(n) < 0.7, "Y", ""),
            "relationship": np.where(rng.random(n) < 0.3, "MOTHER", np.where(rng.random(n) < 0.5, "SON", "")),
            "juvenile_held_separately": np.where(rng.random(n) < 0.05, "Y", ""),
            "separation_reason": np.where(rng.random(n) < 0.03, "CRIMINAL HISTORY OF PARENT", ""),
            "prosecution_referral": np.where(rng.random(n) < 0.1, "Y", "N"),
            "criminal_history": np.where(rng.random(n) < 0.05, "Y", "N"),
            "disposition": np.where(rng.random(n) < 0.5, "NTA", "ER-CF"),
            "transferred_to": np.where(rng.random(n) < 0.4, "ICE", "ORR"),
            "transfer_date": enc,
        }
    )
    frame.write_csv(path)
    return path


CHILD_INGEST = """
import json, os, sys, time
from pathlib import Path
from reunify.sources import ingest_file
url, path = sys.argv[1], Path(sys.argv[2])
t = time.perf_counter()
c = sum(os.times()[:2])
r = ingest_file(url, path)
s = time.perf_counter() - t
hwm = next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM:")) / 1024
cpu = sum(os.times()[:2]) - c
print(json.dumps({"seconds": s, "rss_mb": hwm, "cpu": cpu,
                  "read": r.rows_read, "accepted": r.rows_accepted, "quarantined": r.rows_quarantined}))
"""

CHILD_FLOOR = """
import json, os, sys, time
import duckdb
t = time.perf_counter()
c = sum(os.times()[:2])
con = duckdb.connect()
con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, header=true, all_varchar=true)", [sys.argv[1]])
n = con.execute("SELECT count(*) FROM t").fetchone()[0]
s = time.perf_counter() - t
hwm = next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM:")) / 1024
print(json.dumps({"seconds": s, "rss_mb": hwm, "read": n, "cpu": sum(os.times()[:2]) - c}))
"""


def _child(code: str, *args: str) -> dict[str, float]:
    env = {**os.environ, "REUNIFY_DATA_KEY": os.environ.get("REUNIFY_DATA_KEY", BENCH_KEY)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fresh_sqlite(tmp: Path) -> str:
    from reunify.store.engine import migrate

    path = tmp / f"bench_{uuid.uuid4().hex[:8]}.db"
    url = f"sqlite:///{path}"
    migrate(url)
    return url


def _fresh_pg(server: str) -> tuple[str, str]:
    import psycopg
    from sqlalchemy.engine import make_url

    from reunify.store.engine import migrate

    name = f"reunify_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    migrate(url)
    return url, name


def _drop_pg(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--repeat-large", type=int, default=1, help="repeats at 1M rows and above")
    parser.add_argument("--pg", action="store_true", help="also ingest into PostgreSQL")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    opts = parser.parse_args()
    os.environ.setdefault("REUNIFY_DATA_KEY", BENCH_KEY)

    rows_out = []
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for n in (int(s) for s in opts.sizes.split(",")):
            csv_path = generate(tmp / f"encounters_{n}.csv", n)
            size_mb = csv_path.stat().st_size / 1e6
            repeat = opts.repeat if n < 1_000_000 else opts.repeat_large
            floors, sqlites, pgs = [], [], []
            for _ in range(repeat):
                floors.append(_child(CHILD_FLOOR, str(csv_path)))
                url = _fresh_sqlite(tmp)
                sqlites.append(_child(CHILD_INGEST, url, str(csv_path)))
                Path(url.removeprefix("sqlite:///")).unlink()
                if opts.pg:
                    pg_url, name = _fresh_pg(opts.pg_url)
                    try:
                        pgs.append(_child(CHILD_INGEST, pg_url, str(csv_path)))
                    finally:
                        _drop_pg(opts.pg_url, name)
            floor = statistics.median(f["seconds"] for f in floors)
            for backend, runs in (("SQLite", sqlites), ("PostgreSQL", pgs)):
                if not runs:
                    continue
                secs = statistics.median(r["seconds"] for r in runs)
                rows_out.append(
                    {
                        "rows": n,
                        "mb": size_mb,
                        "backend": backend,
                        "seconds": secs,
                        "cpu": statistics.median(r["cpu"] for r in runs),
                        "floor_cpu": statistics.median(f["cpu"] for f in floors),
                        "rate": n / secs,
                        "rss": max(r["rss_mb"] for r in runs),
                        "floor": floor,
                        "floor_rss": max(f["rss_mb"] for f in floors),
                        "ratio": secs / floor,
                        "quarantined": runs[0]["quarantined"],
                        "repeat": repeat,
                    }
                )
            print(f"done {n} rows", file=sys.stderr, flush=True)

    load_end = os.getloadavg()
    print(
        f"load average (1, 5, 15 min): start {', '.join(f'{x:.1f}' for x in load_start)}; "
        f"end {', '.join(f'{x:.1f}' for x in load_end)}; {os.cpu_count()} CPUs\n"
    )
    print(
        "| rows | CSV MB | store | runs | ingest s | rows/s | ingest CPU s | peak RSS MB "
        "| DuckDB floor s | floor CPU s | floor peak RSS MB | ingest / floor | quarantined |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows_out:
        print(
            f"| {r['rows']:,} | {r['mb']:.0f} | {r['backend']} | {r['repeat']} | {r['seconds']:.2f} "
            f"| {r['rate']:,.0f} | {r['cpu']:.2f} | {r['rss']:.0f} | {r['floor']:.2f} | {r['floor_cpu']:.2f} "
            f"| {r['floor_rss']:.0f} "
            f"| {r['ratio']:.1f}x | {r['quarantined']} |"
        )


if __name__ == "__main__":
    main()
