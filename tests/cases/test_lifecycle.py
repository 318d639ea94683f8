"""Recover, unblock (owner with a code, or police), close, reverse: each change recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from openceir.cases import (
    close,
    publish_pending,
    recover,
    request_unblock_code,
    reverse,
    show_case,
    unblock,
)
from openceir.errors import InputError, NotFound
from openceir.notify import flush
from openceir.store import session_scope
from openceir.store.cases import CaseChange
from openceir.store.models import AuditEntry
from openceir.store.registers import StolenRow
from tests.cases.conftest import IMEI_A, OWNER


def open_stolen(env):
    with session_scope(env.engine) as session:
        return list(session.scalars(select(StolenRow).where(StolenRow.end_date.is_(None))))


def changes(env):
    with session_scope(env.engine) as session:
        return [(c.change, c.ledger_event) for c in session.scalars(select(CaseChange))]


def test_police_recover_then_owner_unblocks_with_a_code(env):
    rid = env.report().request_id
    case = recover(env.engine, env.settings, rid, "officer:1")
    assert case.status == "recovered" and case.blocked and open_stolen(env)
    challenge = request_unblock_code(env.engine, env.settings, rid)
    flush(env.engine, env.settings)
    code = env.sms.last_code(OWNER)
    case = unblock(env.engine, env.settings, rid, "web", code_token=challenge.token, code=code)
    assert (case.status, case.blocked) == ("closed", False)
    assert open_stolen(env) == []
    assert changes(env) == [
        ("block", "reported_stolen"),
        ("none", "recovered"),
        ("unblock", None),
    ]
    shown = show_case(env.engine, rid, "officer:1")
    assert [h["action"] for h in shown["history"]] == ["filed", "recover", "unblock"]
    assert shown["history"][-1]["actor"] == f"owner:{rid}"
    with session_scope(env.engine) as session:
        actions = [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["case.filed", "case.recover", "case.unblock", "case.read"]
    assert publish_pending(env.engine, env.settings).changes == 3
    assert publish_pending(env.engine, env.settings).changes == 0


def test_an_unblock_code_is_sent_only_to_the_case_contact_and_must_match(env):
    rid = env.report().request_id
    other = env.report(imei="356938035643809", msisdn="254711000005").request_id
    challenge = request_unblock_code(env.engine, env.settings, other)
    flush(env.engine, env.settings)
    code = env.sms.last_code("254711000005")
    with pytest.raises(InputError, match="not sent to this case's number"):
        unblock(env.engine, env.settings, rid, "web", code_token=challenge.token, code=code)
    assert len(open_stolen(env)) == 2


def test_a_wrong_code_does_not_unblock(env):
    rid = env.report().request_id
    challenge = request_unblock_code(env.engine, env.settings, rid)
    flush(env.engine, env.settings)
    wrong = f"{(int(env.sms.last_code(OWNER)) + 1) % 10**6:06d}"
    with pytest.raises(InputError, match="wrong code"):
        unblock(env.engine, env.settings, rid, "web", code_token=challenge.token, code=wrong)
    assert open_stolen(env)


def test_reverse_needs_a_reason_and_ends_the_block(env):
    rid = env.report().request_id
    with pytest.raises(InputError, match="a reversal needs a reason"):
        reverse(env.engine, env.settings, rid, "staff:1", " ")
    case = reverse(env.engine, env.settings, rid, "staff:1", "reporter does not own the phone")
    assert (case.status, case.reason) == ("reversed", "reporter does not own the phone")
    assert open_stolen(env) == []
    with pytest.raises(InputError, match="is reversed; it cannot be recovered"):
        recover(env.engine, env.settings, rid, "officer:1")
    # the IMEI is free for a new, genuine report
    assert env.report().request_id != rid


def test_close_unblocks_and_unknown_cases_are_not_found(env):
    rid = env.report().request_id
    assert close(env.engine, env.settings, rid, "officer:1", "owner withdrew").status == "closed"
    assert open_stolen(env) == []
    with pytest.raises(NotFound, match="no case RQ-2222-2222"):
        recover(env.engine, env.settings, "RQ-2222-2222", "officer:1")


def test_police_recover_with_unblock_lifts_the_block_at_once(env):
    rid = env.report().request_id
    case = recover(env.engine, env.settings, rid, "officer:1", unblock=True)
    assert (case.status, case.blocked) == ("recovered", False)
    assert open_stolen(env) == []
    assert IMEI_A in show_case(env.engine, rid, "officer:1")["imeis"]
