"""Registration requests on the real store: upload, per-IMEI findings, review, the list."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from openceir.errors import InputError
from openceir.registry import requests as rq
from openceir.settings import Settings
from openceir.store.models import AuditEntry
from openceir.store.registers import RegistrationRow
from openceir.store.session import session_scope
from tests.registry.conftest import DAY, STOLEN, TAC, imei


def _request(engine, **kw) -> int:
    with session_scope(engine) as session:
        args = {"role": "importer", "applicant": "Importer Ltd", "make": "Acme", "model": "A1",
                "actor": "importer@x", "sim_slots": 2, **kw}  # fmt: skip
        return rq.create_request(session, **args).id


def _csv(tmp_path: Path, lines: list[str], name: str = "upload.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def _review(engine, request_id: int) -> None:
    with session_scope(engine) as session:
        rq.move(session, request_id, "assign", actor="lead", assignee="reviewer1")


def test_upload_review_and_approval_put_imeis_on_the_registration_list(
    engine, settings: Settings, tmp_path: Path
) -> None:
    rid = _request(engine)
    good = [imei(n) for n in range(1, 7)]
    upload = _csv(tmp_path, ["imei,device", *(f"{g},d{i // 2}" for i, g in enumerate(good)),
                             f"{imei(1)},d9", f"{STOLEN},d8", "12345,d7"])  # fmt: skip
    result = rq.upload_imeis(engine, settings, rid, upload, actor="importer@x")
    assert (result.imeis, result.clean, result.blocked) == (9, 6, 3)
    assert result.findings == {"malformed": 1, "duplicate_in_file": 1, "stolen": 1}
    _review(engine, rid)
    with session_scope(engine) as session:
        rows = rq.imeis_of(session, rid)
        assert [(r["line"], [f["code"] for f in r["findings"]]) for r in rows[6:]] == [
            (8, ["duplicate_in_file"]), (9, ["stolen"]), (10, ["malformed"]),
        ]  # fmt: skip
        assert rows[9 - 2]["findings"][0]["reason"] == "reported lost or stolen"
        with pytest.raises(InputError, match=rf"IMEI {STOLEN} cannot be approved: stolen"):
            rq.decide(session, rid, [STOLEN], "approved", actor="reviewer1")
    with session_scope(engine) as session:
        assert rq.decide(session, rid, [good[5]], "rejected", actor="reviewer1",
                         reason="box label does not match") == 1  # fmt: skip
        assert rq.decide(session, rid, None, "approved", actor="reviewer1") == 5
        with pytest.raises(InputError, match=r"3 IMEIs of request .* still undecided"):
            rq.finish(session, rid, "approved", actor="reviewer1", today=DAY)
    with session_scope(engine) as session:
        rq.decide(session, rid, None, "rejected", actor="reviewer1", reason="failed checks")
        assert rq.finish(session, rid, "approved", actor="reviewer1", today=DAY) == 5
    with session_scope(engine) as session:
        listed = session.scalars(select(RegistrationRow).order_by(RegistrationRow.imei_key)).all()
        assert [r.imei_raw for r in listed] == good[:5]
        assert {(r.make, r.model, r.status, r.start_date, r.end_date) for r in listed} == {
            ("Acme", "A1", "approved", DAY, None)
        }
        assert rq.get_request(session, rid).state == "approved"
        actions = [e.action for e in rq.trail(session, rid)]
        assert actions == ["create", "upload", "assign", "imeis_rejected", "imeis_approved",
                           "imeis_rejected", "approve"]  # fmt: skip
        assert session.scalars(select(AuditEntry.action)).all().count("registry.approve") == 1
    second = _request(engine, applicant="Someone Else")
    rq.upload_imeis(engine, settings, second, _csv(tmp_path, ["imei", good[0]], "b.csv"),
                    actor="x")  # fmt: skip
    with session_scope(engine) as session:
        assert rq.imeis_of(session, second)[0]["findings"][0]["code"] == "registered_elsewhere"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02PK binary", "not a CSV text file"),
        (b"serial,model\n1,2\n", "no `imei` column"),
        (b"imei\n", "holds no IMEI"),
        (b'imei,device\n"352099001761481,d1\n', "not a readable CSV"),
    ],
)
def test_a_bad_upload_is_one_error_and_leaves_nothing(
    engine, settings: Settings, tmp_path: Path, content: bytes, message: str
) -> None:
    rid = _request(engine)
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        rq.upload_imeis(engine, settings, rid, path, actor="x")
    assert str(info.value).startswith("bad.csv")
    with session_scope(engine) as session:
        req = rq.get_request(session, rid)
        assert (req.state, req.imei_count, rq.imeis_of(session, rid)) == ("new", 0, [])


def test_an_upload_above_the_quota_stops_reading(engine, settings: Settings, tmp_path) -> None:
    rid = _request(engine, role="individual")
    path = _csv(tmp_path, ["imei", *(imei(n) for n in range(10))])
    with pytest.raises(InputError, match="more than 5 IMEIs"):
        rq.upload_imeis(engine, settings, rid, path, actor="x")
    with session_scope(engine) as session:
        assert rq.imeis_of(session, rid) == []


def test_workflow_rules_are_enforced_on_the_store(engine, settings: Settings, tmp_path) -> None:
    rid = _request(engine)
    with session_scope(engine) as session:
        with pytest.raises(InputError, match="not in_review; assign it first"):
            rq.decide(session, rid, None, "approved", actor="r")
        with pytest.raises(InputError, match="state new cannot assign"):
            rq.move(session, rid, "assign", actor="r", assignee="r")
    rq.upload_imeis(engine, settings, rid, _csv(tmp_path, ["imei", imei(1)]), actor="x")
    with session_scope(engine) as session, pytest.raises(InputError, match="name the reviewer"):
        rq.move(session, rid, "assign", actor="r")
    _review(engine, rid)
    with session_scope(engine) as session:
        with pytest.raises(InputError, match="say what information"):
            rq.move(session, rid, "request_information", actor="r")
        rq.move(session, rid, "request_information", actor="r", note="send the invoice")
    with pytest.raises(InputError, match="holds no IMEI"):
        rq.upload_imeis(engine, settings, rid, _csv(tmp_path, ["imei"], "empty.csv"), actor="x")
    with session_scope(engine) as session:
        assert rq.get_request(session, rid).state == "information_requested"
        assert len(rq.imeis_of(session, rid)) == 1  # the failed upload changed nothing
        rq.move(session, rid, "submit", actor="x")
        rq.move(session, rid, "assign", actor="r", assignee="r")
        with pytest.raises(InputError, match="rejection needs a reason"):
            rq.finish(session, rid, "rejected", actor="r")
        assert rq.finish(session, rid, "rejected", actor="r", reason="no invoice") == 0
        assert rq.imeis_of(session, rid)[0]["decision"] == "rejected"
        with pytest.raises(InputError, match="state rejected cannot approve"):
            rq.finish(session, rid, "approved", actor="r")


def test_type_approval_tac_is_used_by_the_checks(engine) -> None:
    with session_scope(engine) as session:
        ctx = rq.load_context(session)
    assert ctx.tacs[TAC].approved and ctx.stolen.tolist() == [int(STOLEN[:14])]
