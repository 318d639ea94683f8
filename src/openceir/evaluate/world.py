"""One evaluation run: simulate a world with every hard case, import it, classify it, build
the lists, compute DIRBS's rules on the same files, and score both against the truth.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openceir.classify import rules as rule_files
from openceir.classify import run as classify_run
from openceir.classify import sources
from openceir.classify.dimensions.registers import DIRBS_PREFIX_DELAYS
from openceir.evaluate.baseline import dirbs_flagged
from openceir.evaluate.score import GOALS, Flags, Row, read_truth, score, truth_cases
from openceir.ingest import import_many, plan_directory
from openceir.lake import reader
from openceir.lists.build import generate
from openceir.lists.inputs import load_inputs
from openceir.settings import Region, Settings
from openceir.simulate import CLONE_VARIANTS, Rates, simulate
from openceir.simulate.network import made_up_operators
from openceir.store.migrate import sync_operators, upgrade
from openceir.store.session import connect

RATES = Rates(
    clone=0.01,
    counterfeit=0.005,
    family_sharing=0.01,
    brand_new_tac=0.002,
    leading_zero_loss=False,
)
"""The evaluation world's rates: enough cloned IMEIs for every variant to be counted, every
look-alike present; no injected file faults (import checks are another test's business)."""

DEFAULT_DELAY = 30  # days, for TACs whose prefix DIRBS's preset does not name


@dataclass
class Evaluation:
    """What one run measured: the table rows, stage timings and the decisions' counts."""

    subscribers: int
    days: int
    seed: int
    as_of: dt.date
    rows: list[Row]
    seconds: dict[str, float] = field(default_factory=dict)
    undecided: int = 0
    decided: int = 0

    def markdown(self) -> str:
        """The table as Markdown (docs/classification.md)."""
        lines = [
            "| phenomenon | variant | measure | n | DIRBS rules | openceir | goal |",
            "|---|---|---|---:|---:|---:|---|",
        ]
        for r in self.rows:
            way, share = GOALS.get(r.measure, ("", None))
            mark = "" if r.meets_goal else " (missed)"
            lines.append(
                f"| {r.phenomenon} | {r.variant} | {r.measure} | {r.n} | {r.baseline:.1%} | "
                f"{r.openceir:.1%}{mark} | {'-' if share is None else f'{way} {share:.1%}'} |"
            )
        return "\n".join(lines)


def _settings(work: Path) -> Settings:
    return Settings(
        data_dir=work / "data",
        database_url=f"sqlite:///{work / 'store.sqlite'}",
        region=Region(name="Evaluland"),
        operators=made_up_operators(),
    )


def _past_delay(data_dir: Path, truth_dir: Path, as_of: dt.date) -> set[str]:
    """IMEIs of never-allocated TACs whose TAC was first seen a reporting delay ago or more."""
    fakes = read_truth(truth_dir / "counterfeit_unallocated_tac.csv")
    if not fakes:
        return set()
    con = reader.open_duckdb(data_dir)
    try:
        rows = con.sql(
            "SELECT imei_key // 1000000 AS tac, min(first_seen) FROM observations "
            "WHERE imei_key IS NOT NULL GROUP BY 1"
        ).fetchall()
    finally:
        con.close()
    first = {int(t): d for t, d in rows}
    out = set()
    for r in fakes:
        seen = first.get(int(r["tac"]))
        delay = DIRBS_PREFIX_DELAYS.get(r["tac"][:2], DEFAULT_DELAY)
        if seen is not None and seen + dt.timedelta(days=delay) <= as_of:
            out.add(r["imei"][:14])
    return out


def evaluate(
    work: Path,
    *,
    subscribers: int = 20_000,
    days: int = 30,
    seed: int = 1,
    start: dt.date = dt.date(2026, 11, 1),
    rules: rule_files.Rules | None = None,
    rates: Rates = RATES,
    progress: Callable[[str], None] = lambda _stage: None,
) -> Evaluation:
    """Run the evaluation in `work` (an empty or earlier evaluation's directory)."""
    clock: dict[str, float] = {}
    settings = _settings(work)
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    sync_operators(engine, settings)
    as_of = start + dt.timedelta(days=days - 1)
    incoming = work / "incoming"

    t = time.perf_counter()
    progress(f"simulating {subscribers:,} subscribers x {days} days (seed {seed})")
    simulate(
        settings,
        incoming,
        subscribers=subscribers,
        days=days,
        start=start,
        seed=seed,
        rates=rates,
        clone_variants=CLONE_VARIANTS,
    )
    clock["simulate"] = time.perf_counter() - t

    t = time.perf_counter()
    progress("importing")
    planned, _truth = plan_directory(incoming)
    import_many(settings, planned, engine=engine, today=as_of)
    clock["import"] = time.perf_counter() - t

    t = time.perf_counter()
    progress("classifying")
    chosen = rules or rule_files.load(None, search=[])
    result = classify_run.classify(settings, engine, chosen, as_of=as_of, accept_changes=True)
    clock["classify"] = time.perf_counter() - t

    t = time.perf_counter()
    progress("building the lists")
    inputs = load_inputs(settings, engine, as_of)
    blacklist, notified, exceptions = generate(
        inputs.state,
        inputs.triplets,
        inputs.pairing,
        inputs.exempt,
        inputs.home,
        inputs.operators,
        as_of,
    )
    ours = Flags(
        blacklisted=set(blacklist.column("ident").to_pylist()),
        excepted={
            (i, s)
            for table in exceptions.values()
            for i, s in zip(table["ident"].to_pylist(), table["imsi"].to_pylist(), strict=True)
        },
        notified={
            (i, s)
            for table in notified.values()
            for i, s in zip(table["ident"].to_pylist(), table["imsi"].to_pylist(), strict=True)
        },
    )
    for key, _raw, evidence in zip(
        inputs.state["imei_key"].to_pylist(),
        inputs.state["imei_raw"].to_pylist(),
        inputs.state["evidence"].to_pylist(),
        strict=True,
    ):
        decision = json.loads(evidence).get("clones")
        if decision and not decision.get("decided") and key is not None:
            ours.undecided.add(f"{key:014d}")
    clock["lists"] = time.perf_counter() - t

    t = time.perf_counter()
    progress("DIRBS rules on the same files")
    with engine.connect() as conn:
        backend, src = sources.from_store(
            conn,
            settings.data_dir,
            as_of,
            months=classify_run.months_for(as_of),
            country_mcc=list(settings.region.country_mcc),
            operator_networks={op.id: list(op.mcc_mnc) for op in settings.operators},
        )
    try:
        flagged = dirbs_flagged(backend, src)
    finally:
        backend.disconnect()
    paired = {
        (f"{k:014d}", s)
        for k, s in zip(
            inputs.pairing["imei_key"].to_pylist(), inputs.pairing["imsi"].to_pylist(), strict=True
        )
        if k is not None
    }
    baseline = Flags(blacklisted=flagged, excepted=paired)
    clock["baseline"] = time.perf_counter() - t

    pairs_of_imsi: dict[str, set[str]] = defaultdict(set)
    for k, s in zip(
        inputs.triplets["imei_key"].to_pylist(), inputs.triplets["imsi"].to_pylist(), strict=True
    ):
        if k is not None:
            pairs_of_imsi[s].add(f"{k:014d}")
    truth_dir = incoming / "truth"
    cases = truth_cases(truth_dir, pairs_of_imsi, _past_delay(settings.data_dir, truth_dir, as_of))
    clones = [c for c in result.conditions if c.label == "duplicate"]
    matched = clones[0].matched if clones else 0
    decided = clones[0].clones_decided if clones else 0
    return Evaluation(
        subscribers=subscribers,
        days=days,
        seed=seed,
        as_of=as_of,
        rows=score(cases, baseline, ours),
        seconds=clock,
        decided=decided,
        undecided=matched - decided,
    )


__all__ = ["RATES", "Evaluation", "evaluate"]
