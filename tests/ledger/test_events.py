"""The IMEI ledger: checked appends, the IMEI index, offline proofs and whole-ledger audits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from stdnum import luhn

from openceir.errors import IntegrityError, NotFound
from openceir.ledger.entries import sign_event
from openceir.ledger.events import (
    ImeiLedger,
    append_event,
    verify_inclusion_bundle,
    verify_ledger,
)
from openceir.ledger.log import Log
from openceir.ledger.participants import add_participant
from openceir.ledger.verify import AuditError
from openceir.tlog import note

ORIGIN = "ceir.testland.example/log"
TIME = "2026-11-28T12:00:00Z"


def imei(n: int) -> str:
    body = f"3520990{n:07d}"
    return body + luhn.calc_check_digit(body)


@pytest.fixture
def keys() -> dict[str, note.Signer]:
    return {
        "police": note.generate_key("police.testland"),
        "ceir": note.generate_key("ceir.testland"),
    }


@pytest.fixture
def ledger(tmp_path: Path, keys: dict[str, note.Signer]) -> ImeiLedger:
    path = tmp_path / "ledger"
    Log.create(path, ORIGIN)
    add_participant(path, keys["police"].verifier.vkey, ["police"])
    add_participant(path, keys["ceir"].verifier.vkey, ["ceir"])
    return ImeiLedger.open(path)


def stolen(n: int, case: str = "PS-1") -> dict[str, object]:
    return {"type": "reported_stolen", "imeis": [imei(n)], "case": case, "time": TIME}


def test_appended_events_are_indexed_by_imei_and_survive_reopening(ledger, keys) -> None:
    police, ceir = keys["police"], keys["ceir"]
    batch = [sign_event(stolen(n), police) for n in range(5)]
    assert ledger.append(batch) == [0, 1, 2, 3, 4]
    block = {"type": "blocked", "imeis": [imei(3)], "reason": "stolen", "time": TIME}
    assert ledger.append([sign_event(block, ceir)]) == [5]
    assert [i for i, _ in ledger.events_for(imei(3))] == [3, 5]
    assert ledger.latest_index(imei(3)) == 5
    again = ImeiLedger.open(ledger.log.files.root)
    assert again.index.lookup(imei(3)) == [3, 5]
    assert again.event(5)["reason"] == "stolen"
    with pytest.raises(NotFound, match="has no event"):
        again.latest_index(imei(99))


def test_batch_with_one_bad_event_appends_nothing(ledger, keys) -> None:
    good = sign_event(stolen(1), keys["police"])
    bad = sign_event({"type": "blocked", "imeis": [imei(2)], "reason": "stolen"}, keys["police"])
    with pytest.raises(IntegrityError, match=r"event 2 of the batch: .*may not append blocked"):
        ledger.append([good, bad])
    assert ledger.log.size == 0
    stranger = note.generate_key("stranger.example")
    with pytest.raises(IntegrityError, match=r"'stranger\.example' is not registered"):
        ledger.append([sign_event(stolen(1), stranger)])


def test_inclusion_bundle_verifies_offline_and_fails_when_altered(ledger, keys) -> None:
    ledger.append([sign_event(stolen(n), keys["police"]) for n in range(20)])
    bundle = ledger.inclusion_bundle(ledger.latest_index(imei(7)))
    bundle = json.loads(json.dumps(bundle))  # as a client receives it
    assert verify_inclusion_bundle(bundle, ledger.log.verifier)["imeis"] == [imei(7)]
    bundle["entry"] = bundle["entry"].replace("PS-1", "PS-2")
    with pytest.raises(IntegrityError, match=r"proof of entry 7: merkle: inclusion proof"):
        verify_inclusion_bundle(bundle, ledger.log.verifier)
    with pytest.raises(IntegrityError):
        verify_inclusion_bundle(bundle, note.generate_key(ORIGIN).verifier)


def test_stale_index_is_caught_up_from_the_entries(ledger, keys) -> None:
    ledger.append([sign_event(stolen(n), keys["police"]) for n in range(3)])
    root = ledger.log.files.root
    (root / "index/imei.size").write_text("1")  # as if the process died mid-update
    again = ImeiLedger.open(root)
    assert again.index.lookup(imei(2)) == [2]
    assert again.index.lookup(imei(0)) == [0]
    assert (root / "index/imei.size").read_text() == "3"
    assert len((root / "index/imei.tsv").read_text().splitlines()) == 3


def test_verify_ledger_checks_every_event_signature_and_role(ledger, keys) -> None:
    ledger.append([sign_event(stolen(n), keys["police"]) for n in range(3)])
    assert verify_ledger(ledger.log.files.root).size == 3
    # an entry that was appended without the checks (raw log append) is named by the audit
    rogue = sign_event(
        {"type": "unblocked", "imeis": [imei(1)], "reason": "resolved"}, keys["police"]
    )
    ledger.log.append([rogue])
    with pytest.raises(AuditError, match=r"entry 3 \(log index 3\): .*may not append unblocked"):
        verify_ledger(ledger.log.files.root)


def test_append_event_signs_checks_and_returns_the_index(ledger, keys) -> None:
    assert append_event(ledger, stolen(1), keys["police"]) == 0
    assert append_event(ledger, stolen(1, case="PS-2"), keys["police"]) == 1
    assert [e["case"] for _, e in ledger.events_for(imei(1))] == ["PS-1", "PS-2"]
    with pytest.raises(IntegrityError, match="may not append blocked"):
        append_event(
            ledger, {"type": "blocked", "imeis": [imei(1)], "reason": "stolen"}, keys["police"]
        )


def test_large_batch_is_checked_in_chunks_and_names_the_first_bad_event(ledger, keys) -> None:
    batch = [sign_event(stolen(n), keys["police"]) for n in range(700)]
    bad = sign_event(
        {"type": "unblocked", "imeis": [imei(1)], "reason": "resolved"}, keys["police"]
    )
    with pytest.raises(
        IntegrityError, match=r"^event 601 of the batch: .*may not append unblocked"
    ):
        ledger.append([*batch[:600], bad, *batch[600:]])
    assert ledger.log.size == 0
    assert ledger.append(batch) == list(range(700))
    assert ledger.latest_index(imei(650)) == 650


def test_index_torn_by_a_crash_is_repaired(ledger, keys) -> None:
    ledger.append([sign_event(stolen(n), keys["police"]) for n in range(2)])
    root = ledger.log.files.root
    (root / "index/imei.size").write_text("1")
    with (root / "index/imei.tsv").open("a") as fh:
        fh.write(imei(5)[:9])  # half a line
    again = ImeiLedger.open(root)
    assert again.index.lookup(imei(1)) == [1]
    assert all("\t" in line for line in (root / "index/imei.tsv").read_text().splitlines())


def test_manufacturer_binding_is_the_latest_device_manufactured_event(ledger, keys) -> None:
    maker = note.generate_key("maker.example")
    add_participant(ledger.log.files.root, maker.verifier.vkey, ["manufacturer"])
    made = {
        "type": "device_manufactured",
        "imeis": [imei(1), imei(2)],
        "serial_hash": "ab" * 32,
        "model": "Model X",
        "time": TIME,
    }
    append_event(ledger, made, maker)
    append_event(ledger, {**made, "software_version": "04"}, maker)
    append_event(ledger, stolen(1), keys["police"])
    assert ledger.manufacturer_binding(imei(1))["software_version"] == "04"
    assert ledger.manufacturer_binding(imei(2))["model"] == "Model X"
    assert ledger.manufacturer_binding(imei(3)) is None


def _tamper_index(root: Path, imei_text: str, new_index: int) -> None:
    """Point the index line of `imei_text` at another entry, as an attacker with disk access."""
    tsv = root / "index/imei.tsv"
    lines = tsv.read_text().splitlines(keepends=True)
    tampered = f"{imei_text}\t{new_index}\n"
    lines = [tampered if ln.startswith(imei_text + "\t") else ln for ln in lines]
    tsv.write_text("".join(lines))


def test_audit_detects_an_index_line_pointing_at_another_imeis_entry(ledger, keys) -> None:
    ledger.append([sign_event(stolen(n), keys["police"]) for n in range(5)])
    root = ledger.log.files.root
    assert verify_ledger(root).size == 5
    _tamper_index(root, imei(1), 3)
    with pytest.raises(AuditError, match=rf"^index/imei.tsv: .*{imei(1)}.* entry 3"):
        verify_ledger(root)


def test_audit_detects_an_index_that_lost_a_line(ledger, keys) -> None:
    ledger.append([sign_event(stolen(n), keys["police"]) for n in range(3)])
    tsv = ledger.log.files.root / "index/imei.tsv"
    tsv.write_text("".join(tsv.read_text().splitlines(keepends=True)[1:]))
    with pytest.raises(AuditError, match=rf"^index/imei.tsv: .*entry 0 .*{imei(0)}.* missing"):
        verify_ledger(ledger.log.files.root)


def test_proof_refuses_an_entry_that_is_not_about_the_imei_asked(ledger, keys) -> None:
    ledger.append([sign_event(stolen(n), keys["police"]) for n in range(5)])
    root = ledger.log.files.root
    _tamper_index(root, imei(1), 3)
    again = ImeiLedger.open(root)
    with pytest.raises(IntegrityError, match=rf"entry 3 is not about IMEI {imei(1)}"):
        again.latest_index(imei(1))
    with pytest.raises(IntegrityError, match=rf"entry 3 is not about IMEI {imei(1)}"):
        again.events_for(imei(1))
    assert again.latest_index(imei(3)) == 3  # the honest lines still answer
