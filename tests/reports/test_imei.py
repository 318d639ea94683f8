"""The IMEI profile: everything known of one IMEI, subscriber data only when allowed."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from openceir.errors import InvalidIdentifier
from openceir.reports import drill, imei
from openceir.reports.aggregates import COUNTRY, WINDOW
from openceir.store.models import AuditEntry
from openceir.store.registers import PairingRow
from tests.reports.conftest import TODAY


def _clone(world) -> str:
    page = drill.imeis(world.settings, world.run_id, WINDOW, COUNTRY, "condition", "duplicate")
    return page["rows"][0]["imei"]


def test_mask_keeps_the_network_only() -> None:
    assert imei.mask("639010790693416") == "63901··········"
    assert imei.mask("2547") == "2547"


def test_profile_of_a_clone_explains_it_and_masks_subscribers(world) -> None:
    p = imei.profile(world.settings, world.engine, _clone(world), today=TODAY)
    assert p["known"] and p["tac"] == p["imei"][:8]
    assert any(h["condition"] == "duplicate" for h in p["classification"])
    assert any(text.startswith("duplicate: ") for text in p["explanation"])
    assert {x["list"] for x in p["lists"]} & {"notifications", "blacklist"}
    assert p["activity"] and all(a["imsis"] for a in p["activity"])
    dumped = json.dumps(p, default=str, ensure_ascii=False)
    shown = imei.profile(world.settings, world.engine, p["imei"], subscriber_data=True)
    imsis = {s for a in shown["activity"] for s in a["imsis"]}
    assert imsis and not any(s in dumped for s in imsis)
    assert all(s[:5] + "··········" in dumped for s in imsis)
    clone_words = [e for e in shown["explanation"] if "are clones" in e]
    assert all(any(s in e for s in imsis) for e in clone_words)


def test_subscriber_reads_are_audited_with_the_actor(world) -> None:
    target = _clone(world)
    imei.profile(world.settings, world.engine, target, subscriber_data=True, actor="analyst-7")
    with world.engine.connect() as conn:
        rows = conn.execute(
            select(AuditEntry.actor, AuditEntry.target).where(
                AuditEntry.action == "read_subscriber_data"
            )
        ).all()
    assert ("analyst-7", f"imei:{imei.profile(world.settings, world.engine, target)['imei']}") in [
        tuple(r) for r in rows
    ]


def test_pairings_show_subscribers_only_when_allowed(world) -> None:
    with world.engine.connect() as conn:
        row = conn.execute(
            select(PairingRow.imei_key, PairingRow.imsi).where(PairingRow.imei_key.is_not(None))
        ).first()
    if row is None:
        pytest.skip("the simulation wrote no pairing")
    hidden = imei.profile(world.settings, world.engine, f"{row.imei_key:014d}")
    assert hidden["pairings"] and hidden["pairings"][0]["imsi"] == imei.mask(row.imsi)
    shown = imei.profile(world.settings, world.engine, f"{row.imei_key:014d}", subscriber_data=True)
    assert row.imsi in {p["imsi"] for p in shown["pairings"]}


def test_an_unknown_imei_gets_its_findings_and_nothing_else(world) -> None:
    p = imei.profile(world.settings, world.engine, "001010000000019")
    assert not p["known"] and p["classification"] == [] and p["activity"] == []
    assert "test_tac" in {f["code"] for f in p["findings"]}
    assert p["cases"] is None and p["ledger"] is None
    with pytest.raises(InvalidIdentifier, match="an IMEI is required"):
        imei.profile(world.settings, world.engine, "  ")
    with pytest.raises(InvalidIdentifier, match="17 characters"):
        imei.profile(world.settings, world.engine, "35686800004141412")
