"""The demo: a whole CEIR on synthetic data in one data dir, with embedded defaults.

Each step is a plain function call on the library, so the demo is also the end-to-end
smoke test of the pipeline. Steps are added as the parts they exercise exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openceir.errors import InputError
from openceir.ingest import run_import
from openceir.settings import CONFIG_FILE_NAME, Settings, load_settings
from openceir.simulate import simulate
from openceir.store.migrate import sync_operators, upgrade
from openceir.store.session import connect

SUBSCRIBERS = 3_000
DAYS = 30
SEED = 7
REGISTERS = ("tac", "registration", "stolen", "pairing")
REGISTER_FILES = {
    "tac": "tac_catalog.csv",
    "registration": "registration.csv",
    "stolen": "stolen.csv",
    "pairing": "pairing.csv",
}

DEMO_CONFIG = """\
# Written by `openceir demo`: a made-up country with three operators.
[region]
name = "Examplestan"
country_mcc = ["639"]
country_code = "254"

[[operators]]
id = "alpha"
name = "Alpha Mobile"
mcc_mnc = ["63901"]

[[operators]]
id = "beta"
name = "Beta Telecom"
mcc_mnc = ["63902"]

[[operators]]
id = "gamma"
name = "Gamma Wireless"
mcc_mnc = ["63903", "63904"]
"""


@dataclass
class DemoReport:
    """What the demo did, step by step, for the CLI to show."""

    data_dir: Path
    steps: list[tuple[str, str]] = field(default_factory=list)

    def add(self, step: str, outcome: str) -> None:
        self.steps.append((step, outcome))


def prepare_data_dir(data_dir: Path) -> Path:
    """Create the data dir and its config file (kept if it exists); return the config path."""
    data_dir.mkdir(parents=True, exist_ok=True)
    config = data_dir / CONFIG_FILE_NAME
    if not config.exists():
        config.write_text(DEMO_CONFIG, encoding="utf-8")
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

    today = today or dt.datetime.now(dt.UTC).date()
    start = today - dt.timedelta(days=days)
    incoming = data_dir / "incoming"
    progress(f"simulating {subscribers:,} subscribers over {days} days")
    summary = simulate(
        settings, incoming, subscribers=subscribers, days=days, start=start, seed=SEED
    )
    dump_rows = summary.rows.get("operator_dump", 0)
    report.add("simulate", f"{dump_rows:,} dump rows from {start} in {incoming}")

    imported = skipped = 0
    for kind in REGISTERS:
        progress(f"importing the {kind} list")
        result = run_import(
            settings, kind, incoming / REGISTER_FILES[kind], engine=engine, today=today
        )
        fresh = result.status != "unchanged"
        imported, skipped = imported + fresh, skipped + (not fresh)
    dumps = sorted((incoming / "operators").glob("*/*.csv"))
    rows = 0
    rejected: list[str] = []
    for index, path in enumerate(dumps, 1):
        progress(f"importing operator dumps ({index}/{len(dumps)})")
        try:
            result = run_import(
                settings, "operator", path, operator_id=path.parent.name, engine=engine, today=today
            )
        except InputError as exc:  # a data-quality check refused the file, as it should
            rejected.append(f"{path.name}: {exc.reason.split(';')[0]}")
            continue
        fresh = result.status != "unchanged"
        imported, skipped = imported + fresh, skipped + (not fresh)
        rows += result.rows_valid
    report.add(
        "import",
        f"{len(REGISTERS)} registers and {len(dumps)} operator dumps: {imported} imported, "
        f"{skipped} already there, {len(rejected)} refused; {rows:,} dump rows into the lake",
    )
    for line in rejected:
        report.add("refused", line)
    return report
