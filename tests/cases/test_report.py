"""Filing reports: proven by a real code from the test SMS gateway, one transaction, linked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from openceir.cases import file_report, list_cases, why_blocked
from openceir.errors import ConfigError, InputError
from openceir.notify import flush, pending
from openceir.store import session_scope
from openceir.store.cases import CaseChange, CaseImei, CaseRow
from openceir.store.models import AuditEntry
from openceir.store.notify import OneTimeCode
from openceir.store.registers import StolenRow
from tests.cases.conftest import IMEI_A, IMEI_B, OWNER


def rows(env, model):
    with session_scope(env.engine) as session:
        return list(session.scalars(select(model)))


def test_citizen_report_blocks_at_once_and_answers_a_request_id(env):
    filed = env.report(imei2=IMEI_B, brand="Acme", model="A1")
    assert filed.request_id.startswith("RQ-") and not filed.linked and filed.blocked
    stolen = rows(env, StolenRow)
    assert sorted((s.imei_key, s.case_id, s.status) for s in stolen) == sorted(
        [(int(IMEI_A[:14]), filed.request_id, "stolen"), (int(IMEI_B[:14]), filed.request_id,
                                                          "stolen")]
    )  # fmt: skip
    [change] = rows(env, CaseChange)
    assert (change.change, change.ledger_event, change.published_at) == (
        "block",
        "reported_stolen",
        None,
    )
    assert [a.action for a in rows(env, AuditEntry)] == ["case.filed"]
    assert "TAC 49015420 is not in the TAC catalog" in filed.warnings[0]
    flush(env.engine, env.settings)
    assert f"Your report {filed.request_id} is registered." in env.sms.to(OWNER)[-1]
    assert why_blocked(env.engine, IMEI_A)["origin"] == "report"


def test_without_or_with_a_wrong_code_nothing_is_filed(env):
    with pytest.raises(InputError, match="a one-time code sent to your number is needed"):
        file_report(env.engine, env.settings, {"imei": IMEI_A, "msisdn": OWNER}, actor="c")
    token, code = env.code_for()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(InputError, match="wrong code; 4 tries left"):
        file_report(env.engine, env.settings, {"imei": IMEI_A, "msisdn": OWNER}, actor="c",
                    code_token=token, code=wrong)  # fmt: skip
    with pytest.raises(InputError, match="another number than the report gives"):
        file_report(env.engine, env.settings, {"imei": IMEI_A, "msisdn": "254711000002"},
                    actor="c", code_token=token, code=code)  # fmt: skip
    assert rows(env, CaseRow) == [] and rows(env, StolenRow) == []


def test_a_code_proves_one_report_only(env):
    token, code = env.code_for()
    raw = {"imei": IMEI_A, "msisdn": OWNER}
    file_report(env.engine, env.settings, raw, actor="c", code_token=token, code=code)
    with pytest.raises(InputError, match="already used"):
        file_report(env.engine, env.settings, {**raw, "imei": IMEI_B}, actor="c",
                    code_token=token, code=code)  # fmt: skip


def test_an_imei_with_an_open_case_is_linked_not_duplicated(env):
    first = env.report()
    second = env.report(imei2=IMEI_B, complaint_number="C-77", msisdn="254711000003")
    assert second.linked and second.request_id == first.request_id
    assert sorted(second.imeis) == sorted([IMEI_A, IMEI_B])
    assert len(rows(env, CaseRow)) == 1
    assert len([i for i in rows(env, CaseImei) if i.active]) == 2
    assert len(rows(env, StolenRow)) == 2


def test_watch_mode_traces_without_blocking(env):
    filed = env.report(mode="watch")
    assert not filed.blocked and rows(env, StolenRow) == [] and rows(env, CaseChange) == []
    assert list_cases(env.engine)[0]["mode"] == "watch"


def test_police_file_without_a_code(env):
    filed = file_report(env.engine, env.settings, {"imei": IMEI_A, "msisdn": OWNER},
                        actor="officer:7", channel="police")  # fmt: skip
    [case] = rows(env, CaseRow)
    assert (case.filed_by, case.channel, case.request_id) == (
        "officer:7",
        "police",
        filed.request_id,
    )


def test_a_failure_inside_the_transaction_leaves_nothing_half_accepted(env, tmp_path):
    broken = tmp_path / "templates" / "en"
    broken.mkdir(parents=True)
    (broken / "case_reported.txt").write_text("Subject: x\n{{ no_such_value }}\n")
    token, code = env.code_for()
    notify = env.settings.notify.model_copy(update={"templates_dir": broken.parent})
    settings = env.settings.model_copy(update={"notify": notify})
    with pytest.raises(ConfigError, match="no_such_value"):
        file_report(env.engine, settings, {"imei": IMEI_A, "msisdn": OWNER}, actor="c",
                    code_token=token, code=code)  # fmt: skip
    assert rows(env, CaseRow) == [] and rows(env, StolenRow) == [] and rows(env, CaseChange) == []
    assert [m.template for m in pending(env.engine)] == []
    [otp_row] = rows(env, OneTimeCode)
    assert otp_row.used_at is None  # the code is still good for a retry
    filed = file_report(env.engine, env.settings, {"imei": IMEI_A, "msisdn": OWNER}, actor="c",
                        code_token=token, code=code)  # fmt: skip
    assert filed.request_id
