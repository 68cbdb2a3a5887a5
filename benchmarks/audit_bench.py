"""Benchmark: the whole audit against Splink alone deduplicating the same people, same run.

    python benchmarks/audit_bench.py --scale 10 --repeat 3 [--scale 100 --repeat 1] [--workdir DIR] [--stages]

For each scale: generate the scenario once (``reunify synth``, seed 1, default noise), then run,
each in a fresh subprocess so peak memory is its own,
  * baseline: Splink 5 on DuckDB deduplicating every source row (names, date of birth, sex,
    citizenship, alien number) read straight from the four CSVs: train u and m, predict, cluster;
  * the audit's own Splink model alone: the same rows prepared as the audit prepares them
    (folding, dates, countries) and ``resolve_people`` (the audit's linkage settings);
  * audit: ``run_audit`` end to end (the same Splink step plus families, separations, reasons,
    reunification, verdicts and the deliverable).
It prints wall time (median of ``--repeat``) and peak RSS of each, and the audit/baseline ratio
(target: within 2x, under 4 GB, on a 2-core machine). Numbers go to BENCHMARKS.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASELINE = r'''
import logging, sys, duckdb
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
import splink.comparison_library as cl
logging.getLogger("splink").setLevel(logging.ERROR)
d = sys.argv[1]
con = duckdb.connect()
con.execute("SET threads = 2")
parts = []
for f in ("encounters", "i213", "ice_custody", "orr_referrals"):
    cit = "NULL" if f == "i213" else "citizenship"
    sex = "sex" if f in ("encounters", "orr_referrals") else "NULL"
    parts.append(f"""SELECT '{f}:' || record_id AS unique_id, upper(trim(given_name)) AS given_name,
        upper(trim(family_name)) AS family_name, dob, {sex} AS sex, upper({cit}) AS citizenship,
        regexp_replace(upper(coalesce(a_number, '')), '[^0-9]', '', 'g') AS a_number
        FROM read_csv('{d}/{f}.csv', all_varchar=true)""")
con.execute("CREATE TABLE people AS " + " UNION ALL ".join(parts))
con.execute("UPDATE people SET a_number = NULL WHERE a_number = ''")
settings = SettingsCreator(
    link_type="dedupe_only",
    comparisons=[
        cl.JaroWinklerAtThresholds("given_name", [0.92, 0.8]),
        cl.JaroWinklerAtThresholds("family_name", [0.92, 0.8]),
        cl.LevenshteinAtThresholds("dob", [1, 2]),
        cl.ExactMatch("sex"), cl.ExactMatch("citizenship"), cl.ExactMatch("a_number"),
    ],
    blocking_rules_to_generate_predictions=[
        block_on("a_number"), block_on("dob", "family_name"), block_on("given_name", "family_name"),
        block_on("dob", "given_name"),
    ],
)
api = DuckDBAPI(connection=con)
linker = Linker(api.register("people"), settings, log_level=None)
linker.training.estimate_probability_two_random_records_match([block_on("a_number", "dob")], recall=0.8)
linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=42)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("a_number"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob", "family_name"))
pred = linker.inference.predict(threshold_match_probability=0.3, warning_mode="never")
linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.8)
'''

SAME_MODEL = r"""
import sys
from pathlib import Path
from reunify.audit import prepare
from reunify.audit.inputs import from_csv_dir
from reunify.audit.people import resolve_people
from reunify.audit.sql import connect
con = connect()
prepare.load(con, from_csv_dir(Path(sys.argv[1])))
print(resolve_people(con)["persons"])
"""

AUDIT = r"""
import sys, time
from datetime import date
from pathlib import Path
from reunify.audit import from_csv_dir, run_audit
t0, c0 = time.perf_counter(), time.process_time()
last = [t0, c0]
def stage(message):
    # each progress message with the wall and CPU seconds since the previous one (to stderr)
    t, c = time.perf_counter(), time.process_time()
    wall, cpu = t - last[0], c - last[1]
    print(f"{t - t0:7.1f} s  +{wall:6.1f} s wall  +{cpu:6.1f} s CPU  {message}", file=sys.stderr)
    last[:] = [t, c]
inputs = from_csv_dir(Path(sys.argv[1]))
stage("read the CSVs")
r = run_audit(inputs, Path(sys.argv[2]), as_of=date(2019, 7, 8), progress=stage)
stage("done")
print(r.families, r.facts["people"]["records"])
"""


def _run(code: str, *args: str, show_stderr: bool = False) -> tuple[float, float, str]:
    """Run ``code`` in a fresh interpreter; return (seconds, peak RSS in GB, stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark step failed:\n{err[-2000:]}")
    if show_stderr:
        print(err.rstrip(), flush=True)
    return seconds, usage.ru_maxrss / 1024 / 1024, out.strip()


def _loadavg() -> str:
    """The 1-minute load average (other work on the machine distorts wall times)."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def bench(scale: int, repeat: int, workdir: Path, *, stages: bool = False) -> dict[str, object]:
    scenario = workdir / f"scale{scale}"
    if not (scenario / "encounters.csv").exists():
        from reunify.synth import generate

        generate(seed=1, out=scenario, scale=scale, noise="default")
    rows = sum(
        sum(1 for _ in (scenario / f"{k}.csv").open(encoding="utf-8")) - 1
        for k in ("encounters", "i213", "ice_custody", "orr_referrals")
    )
    base, same, audit = [], [], []
    loads: list[str] = []
    for i in range(repeat):
        load_before = _loadavg()
        base.append(_run(BASELINE, str(scenario)))
        same.append(_run(SAME_MODEL, str(scenario)))
        audit.append(_run(AUDIT, str(scenario), str(workdir / f"out{scale}_{i}"), show_stderr=stages))
        loads.append(f"{load_before}-{_loadavg()}")
        print(
            f"scale {scale} run {i + 1}: Splink alone {base[-1][0]:.1f} s, "
            f"the audit's Splink model alone {same[-1][0]:.1f} s, audit {audit[-1][0]:.1f} s "
            f"(1-min load average {loads[-1]})",
            flush=True,
        )
    b = statistics.median(x[0] for x in base)
    m = statistics.median(x[0] for x in same)
    a = statistics.median(x[0] for x in audit)
    return {
        "scale": scale,
        "source_rows": rows,
        "runs": repeat,
        "splink_alone_s": round(b, 1),
        "splink_alone_peak_gb": round(max(x[1] for x in base), 2),
        "audit_model_s": round(m, 1),
        "audit_model_peak_gb": round(max(x[1] for x in same), 2),
        "audit_s": round(a, 1),
        "audit_peak_gb": round(max(x[1] for x in audit), 2),
        "ratio": round(a / b, 2),
        "ratio_same_model": round(a / m, 2),
        "families_found": audit[-1][2].split()[0],
        "load_averages": loads,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, action="append", help="scenario scale (repeatable); default 10")
    ap.add_argument("--repeat", type=int, action="append", help="runs per scale (median); default 3")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/reunify-bench"))
    ap.add_argument(
        "--memory-limit",
        default="3GB",
        help="REUNIFY_AUDIT_MEMORY_LIMIT for the audit's DuckDB (spills beyond)",
    )
    ap.add_argument(
        "--stages", action="store_true", help="print the audit's stages with wall and CPU seconds"
    )
    ns = ap.parse_args()
    os.environ["REUNIFY_AUDIT_MEMORY_LIMIT"] = ns.memory_limit
    scales = ns.scale or [10]
    repeats = ns.repeat or [3] * len(scales)
    ns.workdir.mkdir(parents=True, exist_ok=True)
    results = [
        bench(s, r, ns.workdir, stages=ns.stages)
        for s, r in zip(scales, repeats + [repeats[-1]] * len(scales), strict=False)
    ]
    print()
    print(
        "| scale | source rows | Splink alone (generic) | peak | Splink alone (audit's model) | peak "
        "| whole audit | peak | audit / generic | audit / same model |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['scale']} | {r['source_rows']:,} "
            f"| {r['splink_alone_s']} s | {r['splink_alone_peak_gb']} GB "
            f"| {r['audit_model_s']} s | {r['audit_model_peak_gb']} GB "
            f"| {r['audit_s']} s | {r['audit_peak_gb']} GB "
            f"| {r['ratio']}x | {r['ratio_same_model']}x |"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
