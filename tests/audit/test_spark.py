"""``--engine spark``: person resolution on Splink's Spark backend finds the same families as DuckDB."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reunify.audit import AuditResult, from_csv_dir, run_audit

from .conftest import AS_OF, read_csv

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17")
def test_spark_gives_the_same_families_as_duckdb(
    tiny_dir: Path, tiny_audit: AuditResult, tmp_path: Path
) -> None:
    pytest.importorskip("pyspark")
    spark = run_audit(from_csv_dir(tiny_dir), tmp_path / "spark", as_of=AS_OF, engine="spark")

    def families(out: Path) -> set[tuple[str, ...]]:
        rows = read_csv(out / "separated_members.csv")
        by_fam: dict[str, list[str]] = {}
        for r in rows:
            by_fam.setdefault(r["family_id"], []).append(r["person_id"])
        return {(fid, *sorted(p)) for fid, p in by_fam.items()}

    assert spark.families == tiny_audit.families == 2
    assert families(spark.out_dir) == families(tiny_audit.out_dir)
    assert spark.facts["people"]["engine"] == "spark"
