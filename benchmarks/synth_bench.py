"""Time `reunify synth` at scale 10 (median of 3) and scale 100 (once); print rows/s and peak RSS.

Each run is a fresh subprocess so its peak resident set size is its own.
Usage: python benchmarks/synth_bench.py [--scales 10 100] [--repeat 3] [--workdir /tmp/synth-bench]
       [--json benchmarks/results/synth.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from reunify.synth import generate
t = time.perf_counter()
s = generate(seed=1, out=Path(sys.argv[1]), scale=int(sys.argv[2]))
dt = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_SELF)
cpu = ru.ru_utime + ru.ru_stime
print(json.dumps({"seconds": dt, "cpu": cpu, "rows": s["rows"], "peak_rss_mb": ru.ru_maxrss / 1024}))
"""


def run_once(out: Path, scale: int) -> dict[str, object]:
    shutil.rmtree(out, ignore_errors=True)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(out), str(scale)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scales", type=int, nargs="+", default=[10, 100])
    ap.add_argument("--repeat", type=int, default=3, help="runs at scales below 100 (median reported)")
    ap.add_argument(
        "--workdir", type=Path, default=Path("/tmp/synth-bench"), help="scenarios go here (removed)"
    )
    ap.add_argument("--json", type=Path, default=Path("benchmarks/results/synth.json"), help="results file")
    args = ap.parse_args()
    load = os.getloadavg()[0]
    results: list[dict[str, object]] = []
    print(f"load average before: {load:.1f} (CPU seconds include every thread)")
    print(
        f"{'scale':>5} {'runs':>4} {'seconds':>8} {'cpu s':>7} {'encounters':>11} {'enc rows/s':>11} "
        f"{'all rows':>10} {'all rows/s':>11} {'peak RSS MB':>11}"
    )
    for scale in args.scales:
        runs = [run_once(args.workdir / f"k{scale}", scale) for _ in range(args.repeat if scale < 100 else 1)]
        secs = statistics.median(float(r["seconds"]) for r in runs)  # type: ignore[arg-type]
        rows: dict[str, int] = runs[0]["rows"]  # type: ignore[assignment]
        enc = rows["encounters.csv"]
        total = sum(rows.values())
        rss = max(float(r["peak_rss_mb"]) for r in runs)  # type: ignore[arg-type]
        cpu = statistics.median(float(r["cpu"]) for r in runs)  # type: ignore[arg-type]
        print(
            f"{scale:>5} {len(runs):>4} {secs:>8.1f} {cpu:>7.1f} {enc:>11,} {enc / secs:>11,.0f} "
            f"{total:>10,} {total / secs:>11,.0f} {rss:>11,.0f}"
        )
        results.append({
            "scale": scale, "runs": len(runs), "wall_s": round(secs, 2), "cpu_s": round(cpu, 2),
            "encounter_rows": enc, "all_rows": total, "encounter_rows_per_s": round(enc / secs),
            "all_rows_per_s": round(total / secs), "peak_rss_mb": round(rss), "rows": rows,
        })  # fmt: skip
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    report = {"cores": os.cpu_count(), "load_average_before": round(load, 1), "seed": 1, "results": results}
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
