"""The stolen list onto the ledger: one report per open record, no personal data, idempotent."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from openceir.errors import IntegrityError
from openceir.ingest import run_import
from openceir.ledger.events import ImeiLedger
from openceir.ledger.log import Log
from openceir.ledger.participants import add_participant
from openceir.ledger.stolen_reports import case_reference, publish_stolen, report_events
from openceir.settings import Settings
from openceir.store.migrate import upgrade
from openceir.store.session import connect
from openceir.tlog import note

STOLEN = (
    "imei,reporting_date,status\n352099001761481,20261101,stolen\n490154203237518,20261102,stolen\n"
)


@pytest.fixture
def ceir() -> note.Signer:
    return note.generate_key("ceir.testland")


def _ledger(path: Path, signer: note.Signer) -> ImeiLedger:
    Log.create(path, "ceir.testland.example/log")
    add_participant(path, signer.verifier.vkey, ["ceir"])
    return ImeiLedger.open(path)


def test_open_stolen_records_are_reported_once(settings: Settings, ceir, tmp_path: Path) -> None:
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    (tmp_path / "stolen.csv").write_text(STOLEN)
    run_import(settings, "stolen", tmp_path / "stolen.csv", engine=engine, today=date(2026, 11, 3))
    ledger = _ledger(settings.paths.ledger, ceir)
    assert publish_stolen(ledger, engine, ceir) == 2
    assert publish_stolen(ledger, engine, ceir) == 0  # already on the ledger
    assert ledger.log.size == 2
    [(_index, event)] = ledger.events_for("352099001761481")
    assert event["type"] == "reported_stolen"
    assert event["case"] == case_reference(None, 35209900176148)
    assert "35209900176148" not in event["case"]


def test_reports_skip_known_imeis_and_carry_no_case_id(ceir) -> None:
    rows = [(35209900176148, "PS-42/2026"), (49015420323751, "PS-43/2026")]
    known = {"490154203237518"}
    [entry] = report_events(rows, ceir, known.__contains__)
    assert "PS-42" not in str(entry) and "352099001761481" in str(entry)
    assert case_reference("PS-42/2026", 1) != case_reference("PS-43/2026", 1)


def test_a_signer_that_is_no_participant_is_refused(settings: Settings, tmp_path: Path) -> None:
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    (tmp_path / "stolen.csv").write_text(STOLEN)
    run_import(settings, "stolen", tmp_path / "stolen.csv", engine=engine, today=date(2026, 11, 3))
    ledger = _ledger(settings.paths.ledger, note.generate_key("ceir.testland"))
    with pytest.raises(IntegrityError):
        publish_stolen(ledger, engine, note.generate_key("stranger.example"))
    assert ledger.log.size == 0
