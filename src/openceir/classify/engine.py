"""The engine: evaluate conditions (Ibis dimension trees) on a backend, with the safety check.

Each distinct leaf (dimension + parameters) runs once per run on the backend (DuckDB by
default, Apache Spark with `spark_backend`) and comes back as Arrow; `all` / `any` / `not`
combine the matched IMEIs as sets; evidence is the matching leaves' columns, per IMEI. A
condition matching more than its `max_allowed_matching_ratio` of the IMEIs seen is refused
(not published), with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from openceir.classify.dimensions import DIMENSIONS
from openceir.classify.rules import Condition, Leaf
from openceir.classify.sources import Sources
from openceir.errors import ConfigError

SPARK_MASTER = "local[2]"
"""The default Spark master: an in-process Spark on two cores."""

SPARK_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "4",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.memory": "2g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.adaptive.enabled": "true",
}
"""Session settings: no web UI or console progress, few shuffle partitions (the data of one
run is small per partition), dates and times in UTC as on DuckDB, Arrow between Python and
the JVM. `spark_session(conf=...)` overrides any of them (e.g. more partitions on a cluster)."""


@dataclass
class Match:
    """One condition's result: the matched IMEIs with evidence, or why it was refused."""

    condition: Condition
    ids: pa.Array
    imei_key: pa.Array
    imei_raw: pa.Array
    evidence: list[dict[str, Any]]
    seen: int
    refused: str | None = None
    clones: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """How many IMEIs matched."""
        return len(self.ids)

    @property
    def ratio(self) -> float:
        """The share of seen IMEIs matched (0 when nothing was seen)."""
        return self.count / self.seen if self.seen else 0.0


def imei_ids(keys: pa.Array, raws: pa.Array) -> pa.Array:
    """One text id per IMEI: the 14-digit key, or `raw:<text>` for a malformed IMEI."""
    key_text = pc.utf8_lpad(pc.cast(keys, pa.string()), 14, "0")
    raw_text = pc.binary_join_element_wise(pa.scalar("raw:"), raws, "")
    return pc.if_else(pc.is_null(keys), raw_text, key_text)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        return round(value, 4)
    return value


class Evaluator:
    """Runs leaves on one backend, caching each (dimension, parameters) within the run."""

    def __init__(self, backend: Any, sources: Sources) -> None:
        self.backend = backend
        self.sources = sources
        self._leaves: dict[str, pa.Table] = {}
        self._universe: pa.Array | None = None

    def execute(self, expr: Any) -> pa.Table:
        """Run an Ibis expression on the backend and return Arrow."""
        return self.backend.to_pyarrow(expr)

    def leaf(self, leaf: Leaf) -> pa.Table:
        """The rows of one dimension (with an `imei_id` column), computed once per run."""
        key = leaf.key()
        if key not in self._leaves:
            spec = DIMENSIONS[leaf.name]
            table = self.execute(spec.fn(self.sources, **leaf.params))
            ids = imei_ids(table.column("imei_key"), table.column("imei_raw"))
            table = table.append_column("imei_id", ids)
            self._leaves[key] = table
        return self._leaves[key]

    def universe(self) -> pa.Array:
        """Every IMEI seen up to the run date (the base of `not` and of the safety ratio)."""
        if self._universe is None:
            import ibis

            obs = self.sources.observations
            expr = (
                obs.filter(obs.first_seen <= ibis.literal(self.sources.as_of))
                .select("imei_key", "imei_raw")
                .distinct()
            )
            t = self.execute(expr)
            self._universe = imei_ids(t.column("imei_key"), t.column("imei_raw"))
        return self._universe

    def ids(self, node: Any) -> pa.Array:
        """The set of IMEI ids a dimension tree matches."""
        if isinstance(node, Leaf):
            return pc.unique(self.leaf(node).column("imei_id").combine_chunks())
        parts = [self.ids(c) for c in node.children]
        if node.op == "not":
            universe = self.universe()
            return universe.filter(pc.invert(pc.is_in(universe, value_set=parts[0])))
        out = parts[0]
        for part in parts[1:]:
            if node.op == "all":
                out = out.filter(pc.is_in(out, value_set=part))
            else:
                out = pc.unique(pa.concat_arrays([out, part]))
        return out

    def positive_leaves(self, node: Any, negated: bool = False) -> list[Leaf]:
        """Leaves not under a `not`: their rows are the evidence for a match."""
        if isinstance(node, Leaf):
            return [] if negated else [node]
        out: list[Leaf] = []
        for child in node.children:
            out += self.positive_leaves(child, negated ^ (node.op == "not"))
        return out

    def evaluate(self, condition: Condition) -> Match:
        """Match one condition: ids, keys, evidence per IMEI, and the safety check."""
        ids = self.ids(condition.dimensions)
        if isinstance(ids, pa.ChunkedArray):
            ids = ids.combine_chunks()
        ids = ids.cast(pa.string())
        ids = ids.take(pc.sort_indices(ids))  # one order whatever order the engine returned
        evidence: dict[str, dict[str, Any]] = {i: {} for i in ids.to_pylist()}
        keys: dict[str, tuple[Any, Any]] = {}
        for leaf in self.positive_leaves(condition.dimensions):
            table = self.leaf(leaf)
            rows = table.filter(pc.is_in(table.column("imei_id"), value_set=ids))
            extra = [c for c in rows.column_names if c not in ("imei_key", "imei_raw", "imei_id")]
            ids_col = rows.column("imei_id").to_pylist()
            key_col = rows.column("imei_key").to_pylist()
            raw_col = rows.column("imei_raw").to_pylist()
            extra_cols = {c: rows.column(c).to_pylist() for c in extra}
            for i, imei_id in enumerate(ids_col):
                keys.setdefault(imei_id, (key_col[i], raw_col[i]))
                evidence[imei_id][leaf.name] = _jsonable({c: v[i] for c, v in extra_cols.items()})
        order = ids.to_pylist()
        for imei_id in order:  # matched only through `not` (rare): derive the key from the id
            if imei_id not in keys:
                keys[imei_id] = (
                    (None, imei_id[4:]) if imei_id.startswith("raw:") else (int(imei_id), None)
                )
        match = Match(
            condition=condition,
            ids=ids,
            imei_key=pa.array([keys[i][0] for i in order], pa.int64()),
            imei_raw=pa.array([keys[i][1] for i in order], pa.string()),
            evidence=[evidence[i] for i in order],
            seen=len(self.universe()),
        )
        limit = condition.max_allowed_matching_ratio
        if match.seen and match.ratio > limit:
            match.refused = (
                f"matched {match.count} of {match.seen} IMEIs seen ({match.ratio:.1%}), more "
                f"than its max_allowed_matching_ratio of {limit:.1%}: not published"
            )
        return match


def spark_session(master: str | None = None, conf: dict[str, str] | None = None) -> Any:
    """A new SparkSession on `master` (default `local[2]`) with `SPARK_CONF` and `conf`.

    A local master binds the driver to 127.0.0.1. Raises ConfigError when pyspark (the
    `spark` extra) or Java is missing, or the master cannot be reached.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError(
            "the Spark engine needs pyspark: pip install 'openceir[spark]' (and Java 17)"
        ) from None
    master = master or SPARK_MASTER
    settings = dict(SPARK_CONF)
    if master.startswith("local"):
        settings |= {"spark.driver.bindAddress": "127.0.0.1", "spark.driver.host": "127.0.0.1"}
    settings |= conf or {}
    builder = SparkSession.builder.master(master).appName("openceir-classify")
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # Java missing, bad master URL: py4j raises plain exceptions
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ConfigError(f"could not start Spark on {master!r}: {first}") from None
    session.sparkContext.setLogLevel("ERROR")
    for key in ("spark.sql.session.timeZone", "spark.sql.shuffle.partitions"):
        session.conf.set(key, settings[key])  # runtime settings, also on a reused session
    return session


def spark_backend(session: Any = None, *, master: str | None = None) -> Any:
    """An Ibis PySpark backend that moves tables in and out as Arrow.

    On `session` when given; else on the session already running in this process (a
    session's master cannot change while it runs); else on a new session on `master`,
    which `disconnect` stops. A session not started here is left running: `disconnect`
    only drops the temporary views this backend made.

    Why not plain `ibis.pyspark.connect`: Ibis 12's PySpark backend goes through pandas both
    ways, which turns NULLs in integer columns into floats and dates into timestamps; Spark 4
    reads and writes Arrow directly (`createDataFrame(pa.Table)`, `DataFrame.toArrow()`). And
    its compiler lacks `bit_or` / `bit_and` / `bit_xor`, which Spark SQL has.
    """
    owns_session = False
    if session is None:
        try:
            from pyspark.sql import SparkSession

            session = SparkSession.getActiveSession()
        except ImportError:
            pass
        if session is None:
            session, owns_session = spark_session(master), True

    import ibis
    import ibis.backends.pyspark as ibis_spark
    import ibis.expr.operations as ops

    ibis.pyspark  # noqa: B018  (loading the backend through Ibis registers its options)

    from ibis.backends.sql.compilers.pyspark import PySparkCompiler

    class SparkCompiler(PySparkCompiler):
        """Ibis 12's Spark SQL compiler plus the bitwise aggregates Spark has had since 3.0
        (`column.bit_or()` otherwise fails with OperationNotDefinedError)."""

        __slots__ = ()
        SIMPLE_OPS = PySparkCompiler.SIMPLE_OPS | {
            ops.BitAnd: "bit_and",
            ops.BitOr: "bit_or",
            ops.BitXor: "bit_xor",
        }

    class ArrowSpark(ibis_spark.Backend):
        """The PySpark backend with Arrow in (memtables) and out (`to_pyarrow`)."""

        compiler = SparkCompiler()
        owns = owns_session
        views: list[str]
        kept: list[Any]

        def _register_in_memory_table(self, op: Any) -> None:
            table = op.data.to_pyarrow(op.schema)
            self._session.createDataFrame(table).createOrReplaceTempView(op.name)
            self.views.append(op.name)

        def to_pyarrow(
            self, expr: Any, /, *, params: Any = None, limit: Any = None, **kwargs: Any
        ) -> pa.Table:
            from ibis.formats.pyarrow import PyArrowData

            table_expr = expr.as_table()
            self._run_pre_execute_hooks(table_expr)
            sql = self.compile(table_expr, params=params, limit=limit, **kwargs)
            out = self._session.sql(sql).toArrow()
            out = PyArrowData.convert_table(out, table_expr.schema())
            return expr.__pyarrow_result__(out)

        def register_view(self, name: str, frame: Any) -> Any:
            """Make a Spark DataFrame an Ibis table (a temporary view, dropped on disconnect)."""
            frame.createOrReplaceTempView(name)
            self.views.append(name)
            return self.table(name)

        def keep(self, frame: Any) -> Any:
            """`frame` persisted (memory, then disk) until disconnect: read once, used often."""
            from pyspark import StorageLevel

            self.kept.append(frame.persist(StorageLevel.MEMORY_AND_DISK))
            return frame

        def disconnect(self) -> None:
            for frame in self.kept:
                frame.unpersist()
            self.kept.clear()
            if self.owns:
                self._session.stop()
                return
            for name in self.views:
                self._session.catalog.dropTempView(name)
            self.views.clear()

    backend = ArrowSpark()
    backend.views, backend.kept = [], []
    backend.do_connect(session)
    return backend


__all__ = [
    "SPARK_CONF",
    "SPARK_MASTER",
    "Evaluator",
    "Match",
    "imei_ids",
    "spark_backend",
    "spark_session",
]
