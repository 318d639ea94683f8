"""A classification run: lock, sanity check, evaluate, tell clones apart, apply, record.

One run at a time (a file lock in the data dir). A run refuses to continue when the rules
or the operators differ from the last completed run, unless the change is accepted
explicitly. Every run is recorded in `classification_runs`, like an import job.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update

from openceir.classify import sources, state
from openceir.classify.clone_inputs import BindingReader, differentiate
from openceir.classify.engine import Evaluator, Match, spark_backend
from openceir.classify.rules import Rules, condition_dict
from openceir.errors import ConfigError, OpenceirError
from openceir.settings import DataPaths, Settings
from openceir.store.classification import ClassificationRun
from openceir.store.models import utcnow

RUNS = ClassificationRun.__table__
ENGINES = ("duckdb", "spark")
LOOKBACK_DAYS = 120


@dataclass
class ConditionResult:
    """One condition in a run: matched, refused or published, and the state changes."""

    label: str
    matched: int
    seen: int
    refused: str | None
    changes: dict[str, int] = field(default_factory=dict)
    clones_decided: int = 0


@dataclass
class RunResult:
    """What a run did, for the CLI and the run record."""

    run_id: int
    as_of: date
    dry_run: bool
    conditions: list[ConditionResult]

    def counts(self) -> dict[str, Any]:
        """Per-condition counts as JSON-ready data."""
        return {c.label: c.__dict__ for c in self.conditions}


@contextmanager
def run_lock(data_dir: Path) -> Iterator[None]:
    """Hold the classification lock, or fail at once if another run holds it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = DataPaths(data_dir).classify_lock
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(
                f"another classification run is in progress (lock {path}); wait for it to end"
            ) from None
        yield
    finally:
        os.close(fd)


def ensure_schema(engine: Engine) -> None:
    """Fail in one line when the store lacks the newest schema (the classification tables)."""
    from openceir.store.migrate import current_revision, head_revisions

    current, heads = current_revision(engine), head_revisions()
    if not heads <= current:
        at = ", ".join(sorted(current)) or "empty"
        raise ConfigError(
            f"the store's schema is {at}, not the newest ({', '.join(sorted(heads))}); "
            "run: openceir db upgrade"
        )


def months_for(as_of: date, lookback_days: int = LOOKBACK_DAYS) -> list[str]:
    """The lake months a run on `as_of` reads (the lookback window and the run's month)."""
    months, day = set(), as_of - timedelta(days=lookback_days)
    while day <= as_of:
        months.add(day.strftime("%Y-%m"))
        day += timedelta(days=28)
    months.add(as_of.strftime("%Y-%m"))
    return sorted(months)


def _lake_operators(data_dir: Path) -> list[str]:
    from openceir.lake import manifest

    current = manifest.read(manifest.lake_dir(data_dir))
    return sorted(current["datasets"].get("observations", {}))


def sanity_check(engine: Engine, rules: Rules, operators: list[str]) -> list[str]:
    """What changed since the last completed run (rules, operators); empty when nothing did."""
    with engine.connect() as conn:
        last = conn.execute(
            select(RUNS.c.id, RUNS.c.rules_sha256, RUNS.c.operators)
            .where(RUNS.c.status == "completed", RUNS.c.dry_run.is_(False))
            .order_by(RUNS.c.id.desc())
            .limit(1)
        ).first()
    if last is None:
        return []
    changed = []
    if last.rules_sha256 != rules.fingerprint():
        changed.append(f"the rules differ from run {last.id}'s")
    if sorted(last.operators) != operators:
        changed.append(
            f"the operators changed since run {last.id} "
            f"({', '.join(last.operators) or 'none'} -> {', '.join(operators) or 'none'})"
        )
    return changed


def classify(
    settings: Settings,
    engine: Engine,
    rules: Rules,
    *,
    as_of: date,
    conditions: list[str] | None = None,
    dry_run: bool = False,
    accept_changes: bool = False,
    backend: str = "duckdb",
    spark_master: str | None = None,
    progress: Callable[[str], None] | None = None,
    binding_of: BindingReader | None = None,
) -> RunResult:
    """Run the rules for `as_of` and update the classification state (unless `dry_run`).

    `binding_of(imei)` gives the manufacturer binding of a 15-digit IMEI (the caller composes
    it from the ledger, which sits above classification); without it no binding is read.

    `backend` is `duckdb` (in-process) or `spark` (on `spark_master`, else the setting
    `spark_master`; a Spark session already running in this process is reused).
    `progress(stage)` is called with a short description as each stage starts.
    """
    if backend not in ENGINES:
        raise ConfigError(f"unknown engine {backend!r} (known: {', '.join(ENGINES)})")
    master = (spark_master or settings.spark_master) if backend == "spark" else None
    chosen = (
        [rules.condition(label) for label in conditions] if conditions else list(rules.conditions)
    )
    operators = sorted(
        {op.id for op in settings.operators} | set(_lake_operators(settings.data_dir))
    )
    ensure_schema(engine)
    with run_lock(settings.data_dir):
        changed = sanity_check(engine, rules, operators)
        if changed and not accept_changes and not dry_run:
            raise ConfigError(
                "; ".join(changed) + ": check them, then run again with --accept-changes"
            )
        with engine.begin() as conn:
            run_id = conn.execute(
                insert(RUNS).values(
                    as_of=as_of,
                    status="running",
                    dry_run=dry_run,
                    engine=backend,
                    started_at=utcnow(),
                    rules_sha256=rules.fingerprint(),
                    rules={
                        "source": rules.source,
                        "conditions": [condition_dict(c) for c in rules.conditions],
                    },
                    operators=operators,
                    conditions=[c.label for c in chosen],
                    counts={},
                )
            ).inserted_primary_key[0]
        try:
            result = _run(
                settings,
                engine,
                rules,
                chosen,
                as_of,
                run_id,
                dry_run,
                progress or _quiet,
                spark_master=master,
                binding_of=binding_of,
            )
        except OpenceirError as exc:
            _finish(engine, run_id, "failed", {}, str(exc))
            raise
        except BaseException as exc:
            _finish(engine, run_id, "failed", {}, f"{type(exc).__name__}: {exc}")
            raise
        _finish(engine, run_id, "completed", result.counts(), None)
        return result


def _quiet(_stage: str) -> None:
    pass


def _finish(
    engine: Engine, run_id: int, status: str, counts: dict[str, Any], error: str | None
) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(RUNS)
            .where(RUNS.c.id == run_id)
            .values(status=status, finished_at=utcnow(), counts=counts, error=error)
        )


def _run(
    settings: Settings,
    engine: Engine,
    rules: Rules,
    chosen: list[Any],
    as_of: date,
    run_id: int,
    dry_run: bool,
    say: Callable[[str], None],
    *,
    spark_master: str | None = None,
    binding_of: BindingReader | None = None,
) -> RunResult:
    spark = None
    if spark_master is not None:
        say(f"starting Spark on {spark_master}")
        spark = spark_backend(master=spark_master)
    say("reading the registers and the lake")
    networks = {op.id: list(op.mcc_mnc) for op in settings.operators}
    try:
        with engine.connect() as conn:
            backend, src = sources.from_store(
                conn,
                settings.data_dir,
                as_of,
                months=months_for(as_of),
                country_mcc=list(settings.region.country_mcc),
                operator_networks=networks,
                backend=spark,
            )
    except BaseException:
        if spark is not None:
            spark.disconnect()
        raise
    try:
        return _evaluate_and_apply(
            engine, rules, chosen, as_of, run_id, dry_run, say, backend, src, binding_of
        )
    finally:
        backend.disconnect()


def _evaluate_and_apply(
    engine: Engine,
    rules: Rules,
    chosen: list[Any],
    as_of: date,
    run_id: int,
    dry_run: bool,
    say: Callable[[str], None],
    backend: Any,
    src: sources.Sources,
    binding_of: BindingReader | None = None,
) -> RunResult:
    evaluator = Evaluator(backend, src)
    results: list[ConditionResult] = []
    matches: list[Match] = []
    for condition in chosen:
        say(f"evaluating {condition.label}")
        match = evaluator.evaluate(condition)
        if condition.clone_differentiation and match.refused is None and match.count:
            match.clones = differentiate(
                backend,
                src,
                match.imei_key.to_pylist(),
                binding_of=binding_of,
                genuine_before=state.genuine_before(engine, condition.label),
                policy=condition.undecided_policy,
            )
        matches.append(match)
    say("writing the classification state")
    with engine.begin() as conn:
        for match in matches:
            changes: dict[str, int] = {}
            if match.refused is None:
                changes = state.apply(
                    conn,
                    match,
                    as_of=as_of,
                    run_id=run_id,
                    amnesty=rules.amnesty,
                    dry_run=dry_run,
                ).as_dict()
            results.append(
                ConditionResult(
                    label=match.condition.label,
                    matched=match.count,
                    seen=match.seen,
                    refused=match.refused,
                    changes=changes,
                    clones_decided=sum(1 for c in match.clones.values() if c["decided"]),
                )
            )
    return RunResult(run_id=run_id, as_of=as_of, dry_run=dry_run, conditions=results)


__all__ = [
    "ConditionResult",
    "RunResult",
    "classify",
    "ensure_schema",
    "months_for",
    "run_lock",
    "sanity_check",
]
