"""Ledger events: canonical JSON, signatures, schema, roles and the no-personal-data rule."""

from __future__ import annotations

import hashlib

import pytest
from stdnum import luhn

from openceir.errors import InputError, IntegrityError
from openceir.ledger import entries
from openceir.ledger.participants import Participant, Participants, RoleNotAllowed
from openceir.tlog import note

TIME = "2026-11-28T12:00:00Z"


def imei(body: str) -> str:
    return body + luhn.calc_check_digit(body)


IMEI1, IMEI2 = imei("35209900176148"), imei("35209900176149")
POLICE = note.generate_key("police.testland")
MAKER = note.generate_key("maker.example")
REGISTRY = Participants(
    [
        Participant("police.testland", (POLICE.verifier,), frozenset({"police"})),
        Participant("maker.example", (MAKER.verifier,), frozenset({"manufacturer"})),
    ]
)


def stolen(**extra: object) -> dict[str, object]:
    return {
        "type": "reported_stolen",
        "imeis": [IMEI1],
        "case": "PS-2026-0042",
        "time": TIME,
        **extra,
    }


def test_signed_event_is_a_note_of_canonical_json() -> None:
    entry = entries.sign_event(stolen(), POLICE)
    text = entry.decode().split("\n")[0]
    assert text == (
        '{"case":"PS-2026-0042","imeis":["' + IMEI1 + '"],"participant":"police.testland",'
        '"time":"2026-11-28T12:00:00Z","type":"reported_stolen","v":1}'
    )
    event = entries.check_entry(entry, REGISTRY)
    assert event["imeis"] == [IMEI1] and event["participant"] == "police.testland"


def test_device_manufactured_binds_imeis_to_a_serial_hash() -> None:
    event = {
        "type": "device_manufactured",
        "imeis": [IMEI1, IMEI2],
        "serial_hash": hashlib.sha256(b"R58N12345").hexdigest(),
        "model": "Galaxy A15",
        "time": TIME,
    }
    assert entries.check_entry(entries.sign_event(event, MAKER), REGISTRY)["model"] == "Galaxy A15"


def test_role_must_allow_the_event_type() -> None:
    entry = entries.sign_event(stolen(), MAKER)
    with pytest.raises(RoleNotAllowed, match=r"'maker\.example' .* may not append reported_stolen"):
        entries.check_entry(entry, REGISTRY)


def test_entry_signed_by_an_impostor_key_is_rejected() -> None:
    impostor = note.generate_key("police.testland")
    with pytest.raises(IntegrityError):
        entries.check_entry(entries.sign_event(stolen(), impostor), REGISTRY)


def test_altered_entry_is_rejected() -> None:
    entry = entries.sign_event(stolen(), POLICE)
    with pytest.raises(IntegrityError, match=r"invalid signature by key police\.testland"):
        entries.check_entry(entry.replace(b"PS-2026-0042", b"PS-2026-0043"), REGISTRY)


def test_non_canonical_json_is_rejected_even_when_signed() -> None:
    text = '{"v": 1, "type": "reported_stolen"}\n'
    with pytest.raises(IntegrityError, match="not canonical JSON"):
        entries.check_entry(note.sign(text, POLICE), REGISTRY)


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"imsi": "639011234567890"}, "imsi", "personal data"),
        ({"msisdn": "254700000000"}, "msisdn", "personal data"),
        ({"owner_name": "Jane Doe"}, "owner_name", "personal data"),
        ({"colour": "red"}, "colour", "not a field of a reported_stolen event"),
        ({"case": "254712345678"}, "case", "10 or more digits"),
        ({"case": "a b"}, "case", "must be 1 to 64"),
        ({"imeis": [IMEI1[:-1] + str((int(IMEI1[-1]) + 1) % 10)]}, "imeis", "check digit"),
        ({"imeis": ["12345"]}, "imeis", "15 digits"),
        ({"imeis": []}, "imeis", "1 to 4 IMEIs"),
        ({"imeis": [IMEI1, IMEI1]}, "imeis", "twice"),
        ({"time": "2026-11-28 12:00"}, "time", "RFC 3339"),
        ({"type": "teleported"}, "type", "not one of"),
        ({"participant": "someone.else"}, "participant", "not the signing key"),
    ],
)
def test_invalid_events_are_rejected_naming_the_field(extra, field, message) -> None:
    with pytest.raises(InputError) as info:
        entries.sign_event(stolen(**extra), POLICE)
    assert info.value.field == field
    assert message in str(info.value)


@pytest.mark.parametrize(
    "model", ["+254 712 345 678", "call 0712 345 678", "jane@example.org", "x" * 81]
)
def test_free_text_that_looks_like_personal_data_is_rejected(model: str) -> None:
    event = {"type": "tac_allocated", "tac": "35209900", "manufacturer": "Maker", "model": model}
    with pytest.raises(InputError, match="field model"):
        entries.sign_event(event, MAKER)


def test_tac_allocation_has_no_imeis_and_valid_models_pass() -> None:
    event = {
        "type": "tac_allocated",
        "tac": "35209900",
        "manufacturer": "Maker Ltd.",
        "model": "X-200 5G",
    }
    entry = entries.sign_event(event, MAKER)
    assert entries.imeis_of(entries.parse_entry(entry)) == []


def test_validate_imei_checks_the_luhn_digit() -> None:
    assert entries.validate_imei(IMEI1) == IMEI1
    wrong = IMEI1[:-1] + str((int(IMEI1[-1]) + 1) % 10)
    with pytest.raises(InputError, match="wrong check digit"):
        entries.validate_imei(wrong)


def binding(**extra: object) -> dict[str, object]:
    return {
        "type": "device_manufactured",
        "imeis": [IMEI1],
        "serial_hash": hashlib.sha256(b"R58N12345").hexdigest(),
        "model": "Galaxy A15",
        "time": TIME,
        **extra,
    }


def test_manufacturer_binding_may_carry_the_factory_software_version() -> None:
    entry = entries.sign_event(binding(software_version="07"), MAKER)
    assert entries.check_entry(entry, REGISTRY)["software_version"] == "07"
    assert "software_version" not in entries.check_entry(
        entries.sign_event(binding(), MAKER), REGISTRY
    )


@pytest.mark.parametrize("svn", ["7", "99", "0a", "123", 7])
def test_manufacturer_binding_software_version_is_two_digits_not_99(svn: object) -> None:
    with pytest.raises(InputError, match="software_version"):
        entries.sign_event(binding(software_version=svn), MAKER)


def test_software_version_belongs_to_the_manufacturer_binding_only() -> None:
    with pytest.raises(InputError, match="not a field of a reported_stolen event"):
        entries.sign_event(stolen(software_version="07"), POLICE)
