"""The demo: a whole CEIR on synthetic data in one data dir, with embedded defaults.

Each step is a plain function call on the library, so the demo is also the end-to-end
smoke test of the pipeline. Steps are added as the parts they exercise exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openceir.settings import CONFIG_FILE_NAME, Settings, load_settings
from openceir.store.migrate import sync_operators, upgrade
from openceir.store.session import connect

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
    return report
