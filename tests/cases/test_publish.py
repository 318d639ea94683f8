"""Publishing case changes: queued in the change's transaction, then to EIRs and the ledger."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from openceir.cases import publish_pending, recover
from openceir.errors import ConfigError
from openceir.ledger import ImeiLedger, add_participant
from openceir.ledger.log import Log
from openceir.store import session_scope
from openceir.store.cases import CaseChange
from openceir.tlog import note
from tests.cases.conftest import IMEI_A


class Recording:
    """A publisher that records what it is asked, failing the first call when told to."""

    name = "recording"

    def __init__(self, fail_first: bool = False) -> None:
        self.calls: list[tuple[list[int], list[int], str]] = []
        self.fail_first = fail_first

    def publish(self, blocked: Sequence[int], unblocked: Sequence[int], reason: str) -> None:
        if self.fail_first:
            self.fail_first = False
            raise ConfigError("overlay directory is not writable")
        self.calls.append((list(blocked), list(unblocked), reason))


def test_changes_reach_the_publisher_once_and_failures_are_kept_for_retry(env):
    rid = env.report().request_id
    publisher = Recording(fail_first=True)
    first = publish_pending(env.engine, env.settings, publisher)
    assert (first.changes, first.errors) == (0, 1)
    with session_scope(env.engine) as session:
        [row] = session.scalars(select(CaseChange)).all()
        assert row.published_at is None and "not writable" in row.error
    assert publish_pending(env.engine, env.settings, publisher).changes == 1
    recover(env.engine, env.settings, rid, "officer:1", unblock=True)
    publish_pending(env.engine, env.settings, publisher)
    key = int(IMEI_A[:14])
    assert publisher.calls == [([key], [], "stolen"), ([], [key], "recovered")]


def test_reports_and_recoveries_go_on_the_ledger_with_the_request_id(env, tmp_path):
    root = env.settings.data_dir / "ledger"
    Log.create(root, "ceir.testland.example/log")
    signer = note.generate_key("ceir.testland")
    add_participant(root, signer.verifier.vkey, ["ceir"])
    key_file = tmp_path / "ceir.skey"
    key_file.write_text(signer.skey + "\n")
    cases = env.settings.cases.model_copy(update={"ledger_key": key_file})
    env.settings = env.settings.model_copy(update={"cases": cases})
    rid = env.report().request_id
    recover(env.engine, env.settings, rid, "officer:1")
    assert publish_pending(env.engine, env.settings).ledger_events == 2
    assert publish_pending(env.engine, env.settings).ledger_events == 0
    events = ImeiLedger.open(root).events_for(IMEI_A)
    assert [(e["type"], e["case"], e["imeis"]) for _i, e in events] == [
        ("reported_stolen", rid, [IMEI_A]),
        ("recovered", rid, [IMEI_A]),
    ]
