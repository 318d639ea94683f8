"""Lists checked row by row against hand-built classification state (architecture §5)."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from openceir.lists.build import csv_table, delta, generate, imei_text
from tests.lists._cases import (
    AS_OF,
    OPS,
    A,
    B,
    C,
    D,
    E,
    exempt,
    home,
    pairing,
    state,
    state_row,
    triplets,
)


def _run(**over):
    parts = {"state": state(), "triplets": triplets(), "pairing": pairing(), "exempt": exempt()}
    parts.update(over)
    return generate(
        parts["state"], parts["triplets"], parts["pairing"], parts["exempt"], home(), OPS, AS_OF
    )


def _pairs(table: pa.Table) -> list[tuple[int, str]]:
    return [(r["imei_key"], r["imsi"]) for r in table.to_pylist()]


def test_blacklist_holds_blocking_imeis_past_their_block_date_with_due_reasons():
    blacklist, _, _ = _run()
    rows = {r["imei_key"]: r for r in blacklist.to_pylist()}
    assert set(rows) == {A, D}
    assert rows[A]["block_date"] == date(2026, 11, 1)
    assert rows[A]["reasons"] == ["Not registered", "Reported stolen"]


def test_exempt_imei_is_never_listed_but_would_be_without_the_exemption():
    listed = {r["imei_key"] for r in _run()[0].to_pylist()}
    assert C not in listed
    listed = {r["imei_key"] for r in _run(exempt=exempt(()))[0].to_pylist()}
    assert C in listed


def test_informational_and_grace_period_imeis_are_not_blacklisted():
    listed = {r["imei_key"] for r in _run()[0].to_pylist()}
    assert E not in listed and B not in listed


def test_notifications_route_home_imsis_to_their_operator_and_roamers_to_every_operator_seen():
    _, notified, _ = _run()
    assert _pairs(notified["op1"]) == [(B, "23410000000033"), (B, "64201000000011")]
    assert _pairs(notified["op2"]) == [(B, "23410000000033"), (B, "64202000000022")]
    row = notified["op1"].to_pylist()[1]
    assert row["msisdn"] == "255700000011"
    assert row["block_date"] == date(2026, 12, 10)
    assert row["reasons"] == ["Duplicated IMEI"]


def test_pairs_on_the_pairing_list_are_not_notified():
    _, notified, _ = _run()
    assert (B, "64201000000044") not in _pairs(notified["op1"])
    _, notified, _ = _run(pairing=pairing([]))
    assert (B, "64201000000044") in _pairs(notified["op1"])


def test_exceptions_hold_paired_imsis_of_blacklisted_imeis_routed_by_home_network():
    _, _, exceptions = _run()
    assert _pairs(exceptions["op1"]) == [(A, "31026000000077"), (D, "64201000000001")]
    assert _pairs(exceptions["op2"]) == [(A, "31026000000077"), (A, "64202000000066")]


def test_clone_notifications_name_only_the_clone_imsis():
    rows = [
        state_row(
            D,
            "duplicate",
            date(2026, 12, 30),
            clones=["64202000000009"],
            genuine=["64201000000001"],
        )
    ]
    seen = triplets(
        [
            {
                "operator": "op1",
                "imei_key": D,
                "imei_raw": None,
                "imsi": "64201000000001",
                "msisdn": "1",
                "last_seen": date(2026, 11, 1),
            },
            {
                "operator": "op2",
                "imei_key": D,
                "imei_raw": None,
                "imsi": "64202000000009",
                "msisdn": "2",
                "last_seen": date(2026, 11, 1),
            },
        ]
    )
    _, notified, _ = _run(state=state(rows), triplets=seen)
    assert _pairs(notified["op1"]) == []
    assert _pairs(notified["op2"]) == [(D, "64202000000009")]


def test_imei_text_appends_the_luhn_digit_only_when_asked():
    table = pa.table({"ident": ["35209900176148", "ABC"], "imei_key": [35209900176148, None]})
    assert imei_text(table, True).to_pylist() == ["352099001761481", "ABC"]
    assert imei_text(table, False).to_pylist() == ["35209900176148", "ABC"]


def test_csv_table_joins_reasons_with_a_pipe():
    blacklist, _, _ = _run()
    out = csv_table(blacklist, ["imei", "block_date", "reasons"], False).to_pylist()
    assert out[0] == {
        "imei": "35209900176148",
        "block_date": date(2026, 11, 1),
        "reasons": "Not registered|Reported stolen",
    }


def _text(rows, cols):
    return pa.table({c: pa.array([r[i] for r in rows], pa.string()) for i, c in enumerate(cols)})


def test_blacklist_delta_reports_blocked_unblocked_and_changed():
    cols = ["imei", "block_date", "reasons"]
    old = _text(
        [("1", "2026-11-01", "x"), ("2", "2026-11-01", "x"), ("3", "2026-11-01", "x")], cols
    )
    new = _text(
        [("1", "2026-11-01", "x"), ("2", "2026-11-01", "x|y"), ("4", "2026-11-02", "z")], cols
    )
    out = {r["imei"]: r["change_type"] for r in delta("blacklist", new, old).to_pylist()}
    assert out == {"2": "changed", "3": "unblocked", "4": "blocked"}


def test_notification_delta_tells_blacklisted_no_longer_seen_and_resolved_apart():
    cols = ["imei", "imsi", "msisdn", "block_date", "reasons"]
    old = _text(
        [
            ("1", "a", "m", "d", "r"),
            ("2", "b", "m", "d", "r"),
            ("3", "c", "m", "d", "r"),
            ("4", "d", "m", "d", "r"),
        ],
        cols,
    )
    new = _text([("4", "d", "m2", "d", "r"), ("5", "e", "m", "d", "r")], cols)
    blacklist = _text([("1",)], ["imei"])
    seen = _text([("3", "c"), ("4", "d"), ("5", "e")], ["imei", "imsi"])
    out = delta("notifications", new, old, blacklist=blacklist, seen=seen).to_pylist()
    assert {r["imei"]: r["change_type"] for r in out} == {
        "1": "blacklisted",
        "2": "no_longer_seen",
        "3": "resolved",
        "4": "changed",
        "5": "new",
    }


def test_exception_delta_reports_added_and_removed_only():
    old = _text([("1", "a"), ("2", "b")], ["imei", "imsi"])
    new = _text([("1", "a"), ("3", "c")], ["imei", "imsi"])
    out = {r["imei"]: r["change_type"] for r in delta("exceptions", new, old).to_pylist()}
    assert out == {"2": "removed", "3": "added"}
