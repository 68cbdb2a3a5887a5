"""Field encryption throughput for bulk loads: encrypt_many / decrypt_many / a_number_index_many.

Run: ``python benchmarks/bench_crypto.py [N]`` (default 1,000,000 values). Prints values per second
for each helper beside a baseline (UTF-8 encoding alone) measured in the same run.
"""

from __future__ import annotations

import base64
import os
import sys
import time
from collections.abc import Callable

from reunify.domain.identifiers import normalize_a_number
from reunify.store import crypto


def _timed(label: str, n: int, work: Callable[[], object]) -> None:
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    print(f"{label:<24} {n:>10,} values  {seconds:7.2f} s  {n / seconds:>12,.0f} values/s")


def main() -> None:
    os.environ.setdefault("REUNIFY_DATA_KEY", base64.b64encode(b"b" * 32).decode())  # read lazily
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    names = [f"GARCIA LOPEZ {i}" for i in range(n)]
    numbers = [f"A-{i:09d}" for i in range(1, n + 1)]
    _timed("baseline utf-8 encode", n, lambda: [s.encode() for s in names])
    sealed: list[bytes | None] = []
    _timed("encrypt_many", n, lambda: sealed.extend(crypto.encrypt_many(names)))
    _timed("decrypt_many", n, lambda: crypto.decrypt_many(sealed))
    _timed("normalize_a_number alone", n, lambda: [normalize_a_number(v) for v in numbers])
    _timed("a_number_index_many", n, lambda: crypto.a_number_index_many(numbers))


if __name__ == "__main__":
    main()
