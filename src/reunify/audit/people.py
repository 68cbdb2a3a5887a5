"""Stage 1, people: resolve the records of one person across the four sources with Splink 5.

Input: the ``person_records`` table (one row per source row, prepared by :mod:`prepare`).
Output tables in the same DuckDB connection:

* ``person_pairs``: every scored pair at or above the predict threshold, with
  ``match_probability``, ``match_weight`` and, per comparison, the level reached (``gamma_*``)
  and its match weight (``mw_*``): Splink's waterfall data, so any link can be explained.
* ``person_map``: ``uid`` -> ``person_id``, the person cluster at the cluster threshold.
  ``person_id`` is ``P`` + a hash of the smallest ``uid`` in the cluster, stable across re-runs.

The alien number is strong but fallible evidence: it is one comparison among six, never a key.
Settings are data: ``data/linkage.yaml``.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import yaml
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.comparison_level_library import DamerauLevenshteinLevel
from splink.internals.dialects import SplinkDialect

from reunify.audit.sql import connected_components, rows, scalar, smallest_in_component
from reunify.errors import UserError

Progress = Callable[[str], None]

COMPARISON_NAMES = ("a_number", "given_name", "family_name", "dob", "sex", "citizenship")
_PAIR_COLS = ["uid_l", "uid_r", "match_probability", "match_weight"] + [
    f"{kind}_{name}" for name in COMPARISON_NAMES for kind in ("gamma", "mw")
]


@dataclass(frozen=True, slots=True)
class LinkageSettings:
    """The parsed linkage YAML (see data/linkage.yaml for every key)."""

    raw: dict[str, Any]

    @property
    def predict_threshold(self) -> float:
        return float(self.raw["predict_threshold"])

    @property
    def cluster_threshold(self) -> float:
        return float(self.raw["cluster_threshold"])

    def level_labels(self) -> dict[str, dict[int, str]]:
        """comparison name -> gamma value -> label (Splink numbers levels from the top, -1 for null)."""
        out: dict[str, dict[int, str]] = {}
        for comp in self.raw["comparisons"]:
            levels = comp["levels"]
            non_null = [lv for lv in levels if "missing" not in lv]
            labels = {-1: "missing on one side"}
            for i, lv in enumerate(non_null):
                labels[len(non_null) - 1 - i] = str(lv.get("label", ""))
            out[comp["name"]] = labels
        return out


@cache
def _shipped_settings_text() -> str:
    return files("reunify.audit").joinpath("data/linkage.yaml").read_text("utf-8")


def load_linkage_settings(path: Path | None = None) -> LinkageSettings:
    """Read the linkage settings YAML (None = the shipped one). Raises UserError if unreadable."""
    try:
        text = path.read_text("utf-8") if path else _shipped_settings_text()
        raw = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"cannot read the linkage settings {path}: {exc.__class__.__name__}") from exc
    for key in ("comparisons", "blocking_rules", "predict_threshold", "cluster_threshold"):
        if key not in raw:
            raise UserError(f"linkage settings lack '{key}'")
    return LinkageSettings(raw)


class _GuardedDamerauLevenshteinLevel(DamerauLevenshteinLevel):
    """Splink's Damerau-Levenshtein level; on DuckDB, at distance 1, behind a cheap exact pre-check.

    Two strings of equal length within one edit (a substitution or an adjacent transposition)
    differ in at most two positions, so where the lengths agree a Hamming distance above two
    settles the level as not reached before the costlier Damerau-Levenshtein runs. Every pair
    reaches the same level as without the check; other engines (Spark has no ``hamming``) get
    Splink's own SQL.
    """

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        sql = str(super().create_sql(sql_dialect))
        if self.distance_threshold != 1 or sql_dialect.sql_dialect_str != "duckdb":
            return sql
        left, right = self.col_expression.name_l, self.col_expression.name_r
        # CASE, not OR: DuckDB may evaluate the operands of OR in any order, and hamming()
        # fails on strings of different lengths.
        return (
            f"(CASE WHEN length({left}) <> length({right}) THEN {sql} "
            f"WHEN hamming({left}, {right}) > 2 THEN false ELSE {sql} END)"
        )


def _level(spec: dict[str, Any]) -> Any:
    import splink.comparison_level_library as cll

    label = spec.get("label")
    if "missing" in spec:
        return cll.NullLevel(spec["missing"])
    lv: ComparisonLevelCreator
    if "exact" in spec:
        lv = cll.ExactMatchLevel(spec["exact"])
    elif "jaro_winkler" in spec:
        lv = cll.JaroWinklerLevel(spec["jaro_winkler"], float(spec["threshold"]))
    elif "damerau_levenshtein" in spec:
        lv = _GuardedDamerauLevenshteinLevel(spec["damerau_levenshtein"], int(spec["distance"]))
    elif "sql" in spec:
        lv = cll.CustomLevel(str(spec["sql"]), label_for_charts=label)
    elif "else" in spec:
        lv = cll.ElseLevel()
    else:
        raise UserError(f"unknown comparison level in linkage settings: {sorted(spec)}")
    conf: dict[str, Any] = {}
    if label:
        conf["label_for_charts"] = label
    if "m" in spec:
        conf["m_probability"] = float(spec["m"])
    if "u" in spec:
        conf["u_probability"] = float(spec["u"])
    return lv.configure(**conf) if conf else lv


def splink_settings(cfg: LinkageSettings) -> Any:
    """A Splink SettingsCreator for dedupe over ``person_records`` from the YAML."""
    import splink.comparison_library as cl
    from splink import SettingsCreator

    comparisons: list[ComparisonCreator | dict[str, Any]] = [
        cl.CustomComparison([_level(lv) for lv in comp["levels"]], output_column_name=comp["name"])
        for comp in cfg.raw["comparisons"]
    ]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="uid",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=list(cfg.raw["blocking_rules"]),
        probability_two_random_records_match=float(cfg.raw["probability_two_random_records_match"]),
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )


_EQUALITY = re.compile(r"l\.(\w+)\s*=\s*r\.(\w+)")
# Types whose GROUP BY groups exactly the values ``=`` finds equal (no floats: NaN, -0.0).
_GROUPABLE = ("VARCHAR", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "DATE", "BOOLEAN")


def _prior_from_equality_rules(
    con: duckdb.DuckDBPyConnection, rules: list[str], recall: float, n: int
) -> float | None:
    """Splink's ``estimate_probability_two_random_records_match`` for rules of the form
    ``l.x = r.x and l.y = r.y ...``, counted on groups instead of blocked pairs; None otherwise.

    Splink counts the distinct record pairs some rule admits (each rule's pairs less those of the
    rules before it) and divides by recall and by n(n-1)/2. A pair meets every rule of a set when
    it agrees, non-null, on all their columns, so the count is the inclusion-exclusion sum, over
    the sets of rules, of the pairs within the groups of equal values: the same integer, hence the
    same estimate, without Splink's joins.
    """
    types = {
        str(c): str(t)
        for c, t in con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'person_records'"
        ).fetchall()
    }
    rule_cols: list[frozenset[str]] = []
    for rule in rules:
        terms = [t.strip() for t in re.split(r"\s+and\s+", rule.strip(), flags=re.IGNORECASE)]
        matched = [_EQUALITY.fullmatch(t) for t in terms]
        cols = {m.group(1) for m in matched if m and m.group(1) == m.group(2)}
        if len(cols) != len(terms) or any(types.get(c) not in _GROUPABLE for c in cols):
            return None
        rule_cols.append(frozenset(cols))
    observed = 0
    for size in range(1, len(rule_cols) + 1):
        for subset in itertools.combinations(rule_cols, size):
            quoted = [f'"{c}"' for c in sorted(frozenset().union(*subset))]
            pairs = scalar(
                con,
                "SELECT coalesce(sum(c * (c - 1) // 2), 0) FROM (SELECT count(*) AS c FROM person_records"
                f" WHERE {' AND '.join(q + ' IS NOT NULL' for q in quoted)} GROUP BY {', '.join(quoted)})",
            )
            observed += (1 if size % 2 else -1) * int(pairs)
    total = n * (n - 1) // 2
    if observed > total * recall:
        raise ValueError(
            "Deterministic matching rules led to more observed matches than is consistent with supplied "
            f"recall. With these rules, recall must be at least {observed / total:,.2f}."
        )
    return (observed / recall) / total


def _train(
    linker: Any,
    cfg: LinkageSettings,
    n_records: int,
    progress: Progress,
    con: duckdb.DuckDBPyConnection | None = None,
) -> bool:
    """Train u by random sampling and m by EM when there are enough records; True if trained.

    With ``con`` (the DuckDB connection holding ``person_records``, the linker's input), the prior
    is counted there (:func:`_prior_from_equality_rules`) where the rules allow it.
    """
    training = cfg.raw.get("training", {})
    if n_records < int(training.get("min_records", 400)):
        progress("people: few records, using the shipped m/u priors untrained")
        return False
    progress("people: estimating u by random sampling")
    rules, recall = list(training["deterministic_rules"]), float(training["deterministic_recall"])
    prior = None if con is None else _prior_from_equality_rules(con, rules, recall, n_records)
    if prior is None:
        linker.training.estimate_probability_two_random_records_match(rules, recall=recall)
    else:
        linker._settings_obj._probability_two_random_records_match = prior
    linker.training.estimate_u_using_random_sampling(
        max_pairs=float(training.get("u_max_pairs", 1e6)), seed=int(training.get("seed", 42))
    )
    for rule in training.get("em_blocking_rules", []):
        progress("people: EM on " + rule)
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=float(training.get("em_max_pairs", 3e5))
            )
        except Exception as exc:
            logging.getLogger(__name__).warning("EM on a blocking rule failed: %s", exc.__class__.__name__)
    return True


def _cluster(
    con: duckdb.DuckDBPyConnection, cfg: LinkageSettings, progress: Progress, keys: str | None = None
) -> None:
    """Connected components of the scored pairs at the cluster threshold -> person_map (stable ids).

    The components Splink's ``cluster_pairwise_predictions_at_threshold`` finds (a pair at or
    above the threshold links its two records), computed in one pass (``sql.connected_components``).
    With ``keys`` (see :func:`_keyed_records`), over Splink's own scored pairs of record numbers
    (:func:`_cluster_keyed`): the same components as over ``person_pairs``, on integers alone.
    """
    progress("people: clustering")
    thr = float(cfg.cluster_threshold)
    if keys is not None:
        _cluster_keyed(con, thr, keys)
        return
    connected_components(
        con,
        nodes_sql="SELECT uid FROM person_records",
        edges_sql=f"SELECT uid_l AS a, uid_r AS b FROM person_pairs WHERE match_probability >= {thr!r}",
        out="_person_components",
    )
    con.execute(
        "CREATE OR REPLACE TABLE person_map AS "
        "SELECT uid, 'P' || substr(md5(comp), 1, 12) AS person_id FROM _person_components"
    )
    con.execute("DROP TABLE _person_components")


def _cluster_keyed(con: duckdb.DuckDBPyConnection, thr: float, keys: str) -> None:
    """person_map from the scored pairs of record numbers 1..n (``keys``: uid, id).

    Record numbers follow the uid order, so the smallest number of a component is its smallest
    uid; the components are found on the numbers as they are, each record's smallest number
    reaches it by position (checked row by row), and only a component's first record is hashed.
    """
    import numpy as np

    n = int(scalar(con, f"SELECT count(*) FROM {keys}") or 0)
    edges = f"SELECT uid_l - 1 AS a, uid_r - 1 AS b FROM _people_scored WHERE match_probability >= {thr!r}"
    smallest = smallest_in_component(con, n=n, edges_sql=edges)
    ids = np.asarray(con.execute(f"SELECT id FROM {keys}").fetchnumpy()["id"], dtype=np.int64)
    con.register("_cc_smallest", pa.table({"id": ids, "c": smallest[ids - 1] + 1}))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _person_components AS
        SELECT k.uid, k.id,
               CASE WHEN k.id = s.id THEN s.c ELSE error('people: record numbers out of step') END AS c
        FROM {keys} k POSITIONAL JOIN _cc_smallest s
        """
    )
    con.unregister("_cc_smallest")
    con.execute(
        """
        CREATE OR REPLACE TABLE person_map AS
        SELECT p.uid, f.person_id FROM _person_components p
        JOIN (SELECT c, 'P' || substr(md5(uid), 1, 12) AS person_id FROM _person_components WHERE id = c) f
        USING (c)
        """
    )
    con.execute("DROP TABLE _person_components")


def _keyed_records(con: duckdb.DuckDBPyConnection) -> None:
    """``_people_keys`` (uid, id) and ``_people_keyed``: person_records with the uid as a number.

    ``id`` numbers the records in uid order, so ``l.id < r.id`` exactly when ``l.uid < r.uid``:
    Splink proposes the same pairs, each the same way round, and scores them the same, while its
    joins (blocking, and the scored pairs to the records) run on integers rather than strings.
    Columns nobody compares (``src``) are left out.
    """
    cols = [
        str(r[0])
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'person_records' ORDER BY ordinal_position"
        ).fetchall()
        if r[0] not in ("uid", "src")
    ]
    # The uid order is found on the uids alone, in the rows' own order; the numbers then reach the
    # rows by position (the rows are neither sorted nor joined on uid strings), checked row by row.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _people_keys AS SELECT uid, id FROM ("
        "SELECT rowid AS pos, uid, CAST(row_number() OVER (ORDER BY uid) AS BIGINT) AS id "
        "FROM person_records) ORDER BY pos"
    )
    selected = ", ".join(f'r."{c}"' for c in cols)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _people_keyed AS "
        "SELECT CASE WHEN k.uid = r.uid THEN k.id ELSE error('people: record numbers out of step') END"
        f" AS uid, {selected} FROM person_records r POSITIONAL JOIN _people_keys k"
    )


def _scored_levels_only(linker: Any) -> None:
    """Predict keeps each comparison's level and weight (``gamma_*``, ``mw_*``), not the values compared.

    Splink keeps the levels only along with the compared values (``retain_matching_columns``), a
    dozen string columns per pair that nothing reads here, and carrying them through the joins to
    the records and writing them was about a third of predict. Each comparison selects, for
    predict, what it selects in training: the level, then (intermediate columns kept) the weight.
    """
    for comparison in linker._settings_obj.comparisons:
        select = comparison._columns_to_select_for_predict

        def levels_and_weights(
            retain_matching_columns: bool,
            retain_intermediate_calculation_columns: bool,
            training_mode: bool,
            _select: Callable[[bool, bool, bool], list[str]] = select,
        ) -> list[str]:
            return _select(False, retain_intermediate_calculation_columns, True)

        comparison._columns_to_select_for_predict = levels_and_weights


def resolve_people(
    con: duckdb.DuckDBPyConnection,
    *,
    cfg: LinkageSettings | None = None,
    engine: str = "duckdb",
    spark_master: str | None = None,
    progress: Progress = lambda _m: None,
) -> dict[str, Any]:
    """Link and cluster ``person_records``; create ``person_pairs`` and ``person_map``.

    Returns facts for the summary (records, pairs, persons, trained).
    """
    logging.getLogger("splink").setLevel(logging.ERROR)
    cfg = cfg or load_linkage_settings()
    n = int(scalar(con, "SELECT count(*) FROM person_records") or 0)
    if engine == "duckdb":
        facts = _resolve_duckdb(con, cfg, n, progress)
    elif engine == "spark":
        facts = _resolve_spark(con, cfg, n, progress, spark_master)
    else:
        raise UserError(f"unknown engine '{engine}': use duckdb or spark")
    facts["persons"] = int(scalar(con, "SELECT count(DISTINCT person_id) FROM person_map") or 0)
    facts["records"] = n
    return facts


def _resolve_duckdb(
    con: duckdb.DuckDBPyConnection, cfg: LinkageSettings, n: int, progress: Progress
) -> dict[str, Any]:
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI(connection=con)
    linker = Linker(db_api.register("person_records"), splink_settings(cfg), log_level=None)
    # Training samples records by a hash of the uid string: it runs on person_records as it is.
    trained = _train(linker, cfg, n, progress, con)
    progress("people: scoring candidate pairs")
    # Predict (no sampling) runs the trained model over the records keyed by number.
    _keyed_records(con)
    model = linker.misc.save_model_to_json()
    scorer = Linker(db_api.register("_people_keyed"), model, log_level=None)
    _scored_levels_only(scorer)
    pred = scorer.inference.predict(threshold_match_probability=cfg.predict_threshold, warning_mode="never")
    con.execute(f"ALTER TABLE {pred.physical_name} RENAME TO _people_scored")
    rest = ", ".join(c for c in _PAIR_COLS if c not in ("uid_l", "uid_r"))
    con.execute(
        f"""
        CREATE OR REPLACE TABLE person_pairs AS
        SELECT l.uid AS uid_l, r.uid AS uid_r, {rest}
        FROM _people_scored p JOIN _people_keys l ON l.id = p.uid_l JOIN _people_keys r ON r.id = p.uid_r
        """
    )
    # Splink's own tables (the concatenated input, the scored pairs) are not needed any more.
    for used in (linker, scorer):
        used.table_management.delete_tables_created_by_splink_from_db()  # type: ignore[no-untyped-call]
    _cluster(con, cfg, progress, keys="_people_keys")
    con.execute("DROP TABLE _people_scored")
    con.execute("DROP TABLE _people_keyed")
    con.execute("DROP TABLE _people_keys")
    return {
        "engine": "duckdb",
        "trained": trained,
        "pairs": int(scalar(con, "SELECT count(*) FROM person_pairs") or 0),
    }


def spark_session(master: str | None = None) -> Any:
    """A Spark session for Splink: local[2] on 127.0.0.1 unless a cluster URL is given."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    return (
        SparkSession.builder.master(master or "local[2]")
        .appName("reunify-audit")
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", os.environ.get("REUNIFY_SPARK_PARTITIONS", "2"))
        .config("spark.default.parallelism", os.environ.get("REUNIFY_SPARK_PARTITIONS", "2"))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", str(Path(tempfile.gettempdir()) / "reunify-spark-warehouse"))
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )


def _resolve_spark(
    con: duckdb.DuckDBPyConnection, cfg: LinkageSettings, n: int, progress: Progress, master: str | None
) -> dict[str, Any]:
    try:
        from splink import Linker, SparkAPI
    except ImportError as exc:
        raise UserError("--engine spark needs pyspark: pip install 'reunify[spark]'") from exc
    progress("people: starting Spark")
    spark = spark_session(master)
    with tempfile.TemporaryDirectory(prefix="reunify-spark-") as tmp:
        spark.sparkContext.setCheckpointDir(str(Path(tmp) / "checkpoints"))
        src = Path(tmp) / "person_records.parquet"
        con.execute(f"COPY person_records TO '{src}' (FORMAT parquet)")
        sdf = spark.read.parquet(str(src))
        db_api = SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=spark, break_lineage_method="persist", num_partitions_on_repartition=2
        )
        registered = db_api.register(sdf)
        linker = Linker(registered, splink_settings(cfg), log_level=None)
        trained = _train(linker, cfg, n, progress)
        progress("people: scoring candidate pairs (Spark)")
        pred = linker.inference.predict(
            threshold_match_probability=cfg.predict_threshold, warning_mode="never"
        )
        pairs_out = Path(tmp) / "pairs.parquet"
        pred.as_spark_dataframe().select(*_PAIR_COLS).write.parquet(str(pairs_out))
        con.execute(
            f"CREATE OR REPLACE TABLE person_pairs AS SELECT * FROM read_parquet('{pairs_out}/*.parquet')"
        )
    # Clustering is cheap and runs in DuckDB for both engines, so they agree given the same pairs.
    _cluster(con, cfg, progress)
    return {
        "engine": "spark",
        "trained": trained,
        "pairs": int(scalar(con, "SELECT count(*) FROM person_pairs") or 0),
    }


def explain_pair(
    con: duckdb.DuckDBPyConnection, uid_a: str, uid_b: str, cfg: LinkageSettings | None = None
) -> dict[str, Any] | None:
    """Why two records were (or were not) linked: Splink's waterfall for the pair, or None if unscored.

    Returns ``{"match_probability", "match_weight", "steps": [{"comparison", "level", "match_weight"}]}``,
    steps in settings order; the weights add up to the pair's match weight after the prior.
    """
    cfg = cfg or load_linkage_settings()
    got = rows(
        con,
        "SELECT * FROM person_pairs WHERE (uid_l = ? AND uid_r = ?) OR (uid_l = ? AND uid_r = ?)",
        [uid_a, uid_b, uid_b, uid_a],
    )
    if not got:
        return None
    r = got[0]
    labels = cfg.level_labels()
    steps = [
        {
            "comparison": name,
            "level": labels[name].get(int(r[f"gamma_{name}"]), str(r[f"gamma_{name}"])),
            "match_weight": float(r[f"mw_{name}"]),
        }
        for name in COMPARISON_NAMES
    ]
    return {
        "match_probability": float(r["match_probability"]),
        "match_weight": float(r["match_weight"]),
        "steps": steps,
    }
