"""The demo: a whole CEIR on synthetic data in one data dir, with embedded defaults.

Each step is a plain function call on the library, so the demo is also the end-to-end
smoke test of the pipeline. Steps are added as the parts they exercise exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from openceir.access.demo import DemoAccount, create_demo_users
from openceir.classify.rules import load as load_rules
from openceir.classify.run import classify
from openceir.eir.from_lists import snapshot_from_run
from openceir.ingest import Planned, import_many, plan_directory
from openceir.ledger.events import ImeiLedger
from openceir.ledger.log import Log, default_origin
from openceir.ledger.participants import add_participant
from openceir.ledger.stolen_reports import publish_stolen
from openceir.ledger.storage import LedgerFiles
from openceir.lists import init_key, load_signer, write_run
from openceir.lists.inputs import load_inputs
from openceir.reports.aggregates import compute as compute_figures
from openceir.settings import DataPaths, Operator, Region, Settings, load_settings, region_toml
from openceir.simulate import simulate
from openceir.store.migrate import sync_operators, upgrade
from openceir.store.session import connect
from openceir.tlog.note import generate_key, parse_skey

SUBSCRIBERS = 3_000
DAYS = 30
SEED = 7

DEMO_REGION = Region(name="Examplestan", country_mcc=["639"], country_code="254")
DEMO_OPERATORS = [
    Operator(id="alpha", name="Alpha Mobile", mcc_mnc=["63901"]),
    Operator(id="beta", name="Beta Telecom", mcc_mnc=["63902"]),
    Operator(id="gamma", name="Gamma Wireless", mcc_mnc=["63903", "63904"]),
]
"""The made-up country the demo writes into its config file."""


@dataclass
class DemoReport:
    """What the demo did, step by step, for the CLI to show."""

    data_dir: Path
    steps: list[tuple[str, str]] = field(default_factory=list)
    accounts: list[DemoAccount] = field(default_factory=list)

    def add(self, step: str, outcome: str) -> None:
        self.steps.append((step, outcome))


def prepare_data_dir(data_dir: Path) -> Path:
    """Create the data dir and its config file (kept if it exists); return the config path."""
    data_dir.mkdir(parents=True, exist_ok=True)
    config = DataPaths(data_dir).config
    if not config.exists():
        comment = "Written by `openceir demo`: a made-up country with three operators."
        config.write_text(region_toml(DEMO_REGION, DEMO_OPERATORS, comment), encoding="utf-8")
    return config


def run_demo(
    data_dir: Path,
    *,
    database_url: str | None = None,
    subscribers: int = SUBSCRIBERS,
    days: int = DAYS,
    today: dt.date | None = None,
    progress: Callable[[str], None] = lambda _step: None,
) -> DemoReport:
    """Initialise `data_dir` as a demo CEIR and run every step that exists; idempotent."""
    report = DemoReport(data_dir=data_dir)
    progress("config")
    config = prepare_data_dir(data_dir)
    settings: Settings = load_settings(
        environ={"OPENCEIR_CONFIG": str(config)},
        data_dir=data_dir,
        **({"database_url": database_url} if database_url else {}),
    )
    report.add("config", f"{config} ({len(settings.operators)} operators)")

    progress("store")
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    counts = sync_operators(engine, settings)
    report.add(
        "store",
        f"{engine.url.render_as_string(hide_password=True)} migrated; "
        f"operators {counts['added']} added, {counts['updated']} updated",
    )
    report.accounts = create_demo_users(engine, settings)  # one portal account per role

    today = today or dt.datetime.now(dt.UTC).date()
    start = today - dt.timedelta(days=days)
    incoming = settings.paths.incoming
    progress(f"simulating {subscribers:,} subscribers over {days} days")
    summary = simulate(
        settings, incoming, subscribers=subscribers, days=days, start=start, seed=SEED
    )
    dump_rows = summary.rows.get("operator_dump", 0)
    report.add("simulate", f"{dump_rows:,} dump rows from {start} in {incoming}")

    planned, _truth = plan_directory(incoming)
    dump_files = [p for p in planned if p.kind == "operator"]

    def importing(item: Planned, stage: str) -> None:
        if stage != "hashing":
            return
        if item.kind == "operator":
            index = dump_files.index(item) + 1
            progress(f"importing operator dumps ({index}/{len(dump_files)})")
        else:
            progress(f"importing the {item.kind} list")

    outcomes = import_many(settings, planned, engine=engine, today=today, progress=importing)
    dumps = len(dump_files)
    imported = sum(o.status == "imported" for o in outcomes)
    skipped = sum(o.status == "unchanged" for o in outcomes)
    rows = sum(o.result.rows_valid for o in outcomes if o.result and o.planned.kind == "operator")
    # A data-quality check refusing a file (the injected leading-zero loss) is what should happen.
    rejected = [
        f"{o.planned.path.name}: {getattr(o.error, 'reason', str(o.error)).split(';')[0]}"
        for o in outcomes
        if o.error is not None
    ]
    report.add(
        "import",
        f"{len(planned) - dumps} registers and {dumps} operator dumps: {imported} imported, "
        f"{skipped} already there, {len(rejected)} refused; {rows:,} dump rows into the lake",
    )
    for line in rejected:
        report.add("refused", line)

    progress("classifying")
    ledger_dir = settings.paths.ledger
    on_ledger = LedgerFiles(ledger_dir).exists()  # manufacturer bindings, for clones
    outcome = classify(
        settings,
        engine,
        load_rules(),
        as_of=today,
        accept_changes=True,
        binding_of=ImeiLedger.open(ledger_dir).manufacturer_binding if on_ledger else None,
    )
    matched = ", ".join(f"{c.label} {c.matched}" for c in outcome.conditions if c.matched)
    report.add("classify", f"run {outcome.run_id} as of {today}: {matched or 'nothing matched'}")
    figures = compute_figures(settings, engine, outcome.run_id)
    report.add("reports", f"{figures['figures']} figures of run {outcome.run_id} stored")

    progress("generating lists")
    if not settings.paths.list_key.exists():
        init_key(data_dir)
    lists = write_run(
        data_dir, load_inputs(settings, engine, today), load_signer(data_dir), as_of=today
    )
    snapshot = snapshot_from_run(data_dir, lists)
    sizes = ", ".join(
        f"{name} {rows}" for name, rows in sorted(lists.rows.items()) if not name.endswith("_delta")
    )
    report.add("lists", f"signed run {lists.path.name}: {sizes}")
    report.add("eir", f"snapshot {snapshot.name} current under {settings.paths.snapshot}")

    progress("ledger")
    report.add("ledger", _ledger_stolen(settings, engine))
    return report


def _ledger_stolen(settings: Settings, engine: Engine) -> str:
    """Put the stolen list on the ledger, signed by the CEIR (whose key the demo makes)."""
    ledger_dir = settings.paths.ledger
    key_file = settings.paths.ledger_key
    if not LedgerFiles(ledger_dir).exists():
        Log.create(ledger_dir, default_origin(settings.region.name))
        signer = generate_key(default_origin(settings.region.name).replace("/log", "/ceir"))
        add_participant(ledger_dir, signer.verifier.vkey, ["ceir"])
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(signer.skey + "\n", encoding="utf-8")
        key_file.chmod(0o600)
    signer = parse_skey(key_file.read_text(encoding="utf-8").strip())
    ledger = ImeiLedger.open(ledger_dir)
    appended = publish_stolen(ledger, engine, signer)
    return f"{appended} stolen reports appended; log size {ledger.log.size}"
