"""Benchmark ``reunify serve`` on PostgreSQL: looking up a family (read) and recording a separation (write),
with the audit log on, then with it off, in the same run. Load from wrk (Debian package ``wrk``).

    python benchmarks/web_bench.py [--pg postgresql://postgres@127.0.0.1:5432/test] [--duration 20]
        [--connections 16] [--families 300] [--workers 2] [--out benchmarks/results/web.json]
        [--baseline-src /path/to/old/checkout/src]

Prints a table (with the server's and PostgreSQL's CPU milliseconds per request, the server's
voluntary context switches per request, and the load average at the start of each run: the machine
is shared) and writes JSON; BENCHMARKS.md records the numbers.
Targets (issue 7, this 2-core machine): reads 300 req/s at p99 < 100 ms, writes 100 req/s, audit log on.

With ``--baseline-src`` the two servers compared are not audit log on and off but the code at that
``src`` folder (e.g. ``git worktree add /tmp/old HEAD`` then ``--baseline-src /tmp/old/src``, put
first on the servers' PYTHONPATH) and this code, both with the audit log on; the rounds alternate
the same way, so old and new see the same machine load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

console = Console(width=150)
PASSWORD = "benchmark-password-only"
PORT_CODE = "2304"

READ_LUA = """
math.randomseed(os.time())
local n = {families}
wrk.headers["Cookie"] = "{cookie}"
wrk.headers["X-CSRF-Token"] = "{csrf}"
request = function()
  return wrk.format("GET", "/api/encounters/" .. math.random(1, n))
end
"""

WRITE_LUA = """
math.randomseed(os.time())
local n = {families}
wrk.method = "POST"
wrk.headers["Cookie"] = "{cookie}"
wrk.headers["X-CSRF-Token"] = "{csrf}"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local e = math.random(1, n)
  local body = string.format('{{"encounter_id": %d, "separation_date": "2018-07-02", '
    .. '"parent_ids": [%d], "child_ids": [%d, %d], "reasons": ["PROSECUTION"], '
    .. '"narrative": "Accepted for felony prosecution."}}', e, 3*e-2, 3*e-1, 3*e)
  return wrk.format(nil, "/api/separations", nil, body)
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _create_db(server_url: str) -> str:
    name = f"reunify_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _drop_db(url: str) -> None:
    parsed = make_url(url)
    server = parsed.set(database="test").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def seed(url: str, families: int) -> None:
    """Migrate, add an officer at Laredo, and record ``families`` encounters of a mother and two children."""
    from reunify.store.engine import make_engine, migrate, session_factory
    from reunify.web import schemas as s
    from reunify.web.deps import Actor
    from reunify.web.permissions import Role
    from reunify.web.services import accounts, records
    from reunify.web.services.context import Ctx

    migrate(url)
    factory = session_factory(make_engine(url))
    with factory.begin() as session:
        user = accounts.add_user(session, username="bench-officer", role="officer", password=PASSWORD)
        accounts.grant(session, username="bench-officer", kind="port", value=PORT_CODE)
        uid = user.id
    actor = Actor(
        user_id=uid,
        username="bench-officer",
        role=Role.OFFICER,
        csrf="",
        ports=frozenset({PORT_CODE}),
        sees_identities=True,
    )
    with factory.begin() as session:
        ctx = Ctx(session, actor)
        for i in range(families):
            records.create_encounter(
                ctx,
                s.EncounterIn(
                    port_code=PORT_CODE,
                    encounter_date="2018-07-01",
                    people=[
                        s.PersonIn(given_name=f"Madre{i}", family_name="Bench", role="PARENT", sex="F"),
                        s.PersonIn(given_name=f"Hija{i}", family_name="Bench", role="CHILD", sex="F"),
                        s.PersonIn(given_name=f"Hijo{i}", family_name="Bench", role="CHILD", sex="M"),
                    ],
                ),
            )


def start_server(
    url: str, port: int, *, audit_log: bool, workers: int, src: Path | None = None
) -> subprocess.Popen[bytes]:
    """``reunify serve`` on ``port``; with ``src``, the package is imported from that folder instead."""
    cmd = [
        sys.executable,
        "-m",
        "reunify.cli.main",
        "serve",
        "--db",
        url,
        "--port",
        str(port),
        "--dev",
        "--workers",
        str(workers),
    ]
    if not audit_log:
        cmd.append("--no-audit-log")
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), *filter(None, [env.get("PYTHONPATH")])])
    proc = subprocess.Popen(
        [sys.executable, "-c", "from reunify.cli.main import run; run()", *cmd[3:]],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"server did not start: {proc.stderr.read().decode() if proc.stderr else ''}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def sign_in(port: int) -> tuple[str, str]:
    r = httpx.post(
        f"http://127.0.0.1:{port}/api/auth/login", json={"username": "bench-officer", "password": PASSWORD}
    )
    r.raise_for_status()
    cookie = "; ".join(f"{k}={v}" for k, v in r.cookies.items())
    return cookie, r.json()["csrf_token"]


def _children(pid: int) -> list[int]:
    """``pid`` and its descendants (the uvicorn workers), from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    tree = [pid]
    for _ in range(3):
        tree += [p for p, parent in parents.items() if parent in tree and p not in tree]
    return tree


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of ``pids`` so far (Linux /proc)."""
    ticks = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def database_backends(url: str) -> list[int]:
    """The PostgreSQL backend processes connected to ``url``'s database (this machine's server)."""
    database = make_url(url).database
    server = make_url(url).set(database="test").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,)).fetchall()
    return [int(pid) for (pid,) in rows]


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    return {pid: cpu_seconds([pid]) for pid in pids}


def voluntary_switches(pids: list[int]) -> int:
    """Voluntary context switches of every thread of ``pids`` so far (each a sleep: a wait on the
    database, a thread hop, the event loop idle): the steadier the fewer, whatever the machine's load."""
    total = 0
    for pid in pids:
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                status = Path(f"/proc/{pid}/task/{task}/status").read_text()
            except OSError:
                continue
            found = re.search(r"^voluntary_ctxt_switches:\s+(\d+)", status, re.M)
            total += int(found.group(1)) if found else 0
    return total


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(text)
    return float(m.group(1)) * _UNITS[m.group(2)]


def run_wrk(port: int, lua: str, *, duration: int, connections: int, threads: int = 1) -> dict[str, Any]:
    """Run wrk with ``lua`` and parse throughput, latency percentiles and non-2xx responses."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua)
        script = fh.name
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{duration}s",
                "--latency",
                "-s",
                script,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script)
    pct = {p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "requests": total,
        "p50_ms": pct.get("50"),
        "p90_ms": pct.get("90"),
        "p99_ms": pct.get("99"),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def measure(
    proc: subprocess.Popen[bytes], url: str, port: int, lua: str, *, duration: int, connections: int
) -> dict[str, Any]:
    """One wrk run against the server ``proc`` (database ``url``), with the server's CPU and sleeps and
    its PostgreSQL backends' CPU per request, and the load average when it started."""
    server = _children(proc.pid)
    load, cpu, switches = load_average(), cpu_seconds(server), voluntary_switches(server)
    db_cpu = cpu_by_pid(database_backends(url))
    r = run_wrk(port, lua, duration=duration, connections=connections)
    n = max(r["requests"], 1)
    db_ms = 1000 * sum(t - db_cpu.get(pid, 0.0) for pid, t in cpu_by_pid(database_backends(url)).items()) / n
    return {
        **r,
        "server_cpu_ms_per_request": round(1000 * (cpu_seconds(server) - cpu) / n, 2),
        "db_cpu_ms_per_request": round(db_ms, 2),
        "server_voluntary_switches_per_request": round((voluntary_switches(server) - switches) / n, 1),
        "load_average_at_start": load,
    }


def _median_of(runs: list[dict[str, Any]], kind: str, config: str) -> dict[str, Any]:
    """The round with the median throughput for (``kind``, ``config``), with the load range and the
    median server CPU per request over the rounds."""
    mine = sorted((r for r in runs if r["kind"] == kind and r["config"] == config), key=lambda r: r["rps"])
    cpu = sorted(r["server_cpu_ms_per_request"] for r in mine)
    loads = [r["load_average_at_start"] for r in mine]
    return {
        **mine[len(mine) // 2],
        "rounds": len(mine),
        "median_server_cpu_ms_per_request": cpu[len(cpu) // 2],
        "load_average_range": [min(loads), max(loads)],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--pg", default=os.environ.get("REUNIFY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--write-connections", type=int, default=8)
    ap.add_argument("--families", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3, help="alternating runs per operation and server")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/web.json"))
    ap.add_argument(
        "--baseline-src",
        type=Path,
        default=None,
        help="compare the code in this src folder (old) with this code (new), both with the audit log on",
    )
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    os.environ.setdefault(
        "REUNIFY_DATA_KEY", "cmV1bmlmeS10ZXN0LWtleS0zMi1ieXRlcy1sb25nISE="
    )  # benchmark data only

    # Both servers run side by side (a database each); the runs alternate (on, off, on, off... or
    # baseline, current, ...) so the comparison sees the same machine load, and each configuration's
    # median over the rounds is kept.
    configs: list[tuple[str, bool, Path | None]] = (
        [("baseline", True, args.baseline_src), ("current", True, None)]
        if args.baseline_src
        else [("on", True, None), ("off", False, None)]
    )
    servers: dict[str, tuple[subprocess.Popen[bytes], int, dict[str, Any], str]] = {}
    urls: list[str] = []
    runs: list[dict[str, Any]] = []
    try:
        for label, audit_log, src in configs:
            url = _create_db(args.pg)
            urls.append(url)
            with console.status(f"seeding {args.families} families ({label})"):
                seed(url, args.families)
            port = _free_port()
            proc = start_server(url, port, audit_log=audit_log, workers=args.workers, src=src)
            cookie, csrf = sign_in(port)
            fmt = {"families": args.families, "cookie": cookie, "csrf": csrf}
            servers[label] = (proc, port, fmt, url)
            run_wrk(port, READ_LUA.format(**fmt), duration=3, connections=4)  # warm-up
        for kind, lua, conns in (
            ("read: look up a family", READ_LUA, args.connections),
            ("write: record a separation", WRITE_LUA, args.write_connections),
        ):
            for round_no in range(args.rounds):
                for label, audit_log, _ in configs:
                    proc, port, fmt, url = servers[label]
                    with console.status(f"{kind}, {label}, round {round_no + 1}"):
                        measured = measure(
                            proc, url, port, lua.format(**fmt), duration=args.duration, connections=conns
                        )
                    runs.append(
                        {
                            "config": label,
                            "audit_log": audit_log,
                            "kind": kind,
                            "round": round_no + 1,
                            "connections": conns,
                            **measured,
                        }
                    )
    finally:
        for proc, _, _, _ in servers.values():
            stop_server(proc)
        for url in urls:
            _drop_db(url)
    results = [
        _median_of(runs, kind, label)
        for kind in dict.fromkeys(r["kind"] for r in runs)
        for label, _, _ in configs
    ]

    table = Table(
        title=f"reunify serve on PostgreSQL, {args.workers} workers, {os.cpu_count()} cores, "
        f"{args.duration}s per run, median of {args.rounds} alternating rounds"
    )
    for col in (
        "server" if args.baseline_src else "audit log",
        "operation",
        "conns",
        "req/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "non-2xx",
        "server CPU ms/req",
        "median server CPU ms/req",
        "PG CPU ms/req",
        "server sleeps/req",
        "load avg (all rounds)",
    ):
        table.add_column(col)
    for r in results:
        table.add_row(
            r["config"],
            r["kind"],
            str(r["connections"]),
            f"{r['rps']:.0f}",
            f"{r['p50_ms']:.1f}",
            f"{r['p90_ms']:.1f}",
            f"{r['p99_ms']:.1f}",
            str(r["non_2xx"]),
            f"{r['server_cpu_ms_per_request']:.1f}",
            f"{r['median_server_cpu_ms_per_request']:.1f}",
            f"{r['db_cpu_ms_per_request']:.1f}",
            f"{r['server_voluntary_switches_per_request']:.1f}",
            "{:.1f}-{:.1f}".format(*r["load_average_range"]),
        )
    console.print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "cores": os.cpu_count(),
                "workers": args.workers,
                "duration_s": args.duration,
                "families": args.families,
                "baseline_src": str(args.baseline_src) if args.baseline_src else None,
                "results": results,
                "runs": runs,
            },
            indent=2,
        )
    )
    console.print(f"written {args.out}")


if __name__ == "__main__":
    main()
