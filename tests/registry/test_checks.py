"""The per-IMEI checks: each finding on its own, in one vectorised pass, and at scale."""

from __future__ import annotations

import numpy as np
import pytest

from openceir.registry import checks
from openceir.registry.checks import Context, TacInfo, check_batch, codes
from tests.registry.conftest import OTHER_TAC, STOLEN, TAC, imei

CTX = Context(
    tacs={TAC: TacInfo("Acme", "Acme", "A1", True), OTHER_TAC: TacInfo("Zeta", None, "Z9")},
    registered=[int(imei(500)[:14])],
    other_requests=[int(imei(501)[:14])],
    stolen=[int(STOLEN[:14])],
    duplicated=[int(imei(502)[:14])],
)


def _codes(values: list[str], **kw: object) -> list[list[str]]:
    _, masks = check_batch(np.array(values), CTX, make="Acme", model="A1", **kw)
    return [codes(int(m)) for m in masks]


@pytest.mark.parametrize(
    ("value", "want"),
    [
        (imei(1), []),
        (imei(1)[:-1] + str((int(imei(1)[-1]) + 1) % 10), ["bad_check_digit"]),
        (imei(1)[:14], ["malformed"]),
        ("35209900abc", ["malformed"]),
        ("", ["malformed"]),
        ("=cmd|' /C calc'!A0", ["malformed"]),
        ("000000000000000", ["test_or_placeholder", "tac_not_allocated", "not_type_approved"]),
        (imei(1, "00101000"), ["test_or_placeholder", "tac_not_allocated", "not_type_approved"]),
        (imei(1, "35999999"), ["tac_not_allocated", "not_type_approved"]),
        (imei(1, OTHER_TAC), ["model_mismatch", "not_type_approved"]),
        (imei(500), ["registered_elsewhere"]),
        (imei(501), ["in_other_request"]),
        (STOLEN, ["stolen"]),
        (imei(502), ["seen_duplicated"]),
    ],
)
def test_each_check_gives_its_finding(value: str, want: list[str]) -> None:
    assert _codes([value]) == [want]


def test_duplicates_inside_a_file_and_across_batches_are_found() -> None:
    assert _codes([imei(1), imei(2), imei(1)]) == [[], [], ["duplicate_in_file"]]
    seen = np.array([int(imei(2)[:14])])
    assert _codes([imei(2), imei(3)], seen=seen) == [["duplicate_in_file"], []]


def test_device_groups_are_checked_against_sim_slots_and_models() -> None:
    values = [imei(1), imei(2), imei(3), imei(4), imei(5, OTHER_TAC)]
    devices = np.array(["d1", "d1", "d2", "d2", "d2"])
    found = _codes(values, devices=devices, sim_slots=2)
    assert found[:2] == [[], []]
    assert found[2] == ["too_many_for_device", "device_models_differ"]
    assert "too_many_for_device" in found[4] and "device_models_differ" in found[4]


def test_every_finding_has_a_reason_and_blocking_is_a_subset() -> None:
    assert all(reason for _, reason in checks.FINDINGS.values())
    assert checks.FINDINGS.keys() >= checks.BLOCKING
    bits = [b for b, _ in checks.FINDINGS.values()]
    assert len(set(bits)) == len(bits)


def test_a_million_imeis_are_checked_in_one_pass_with_the_scalar_answers() -> None:
    bodies = np.arange(35209900000000, 35209900000000 + 1_000_000, dtype=np.int64)
    from openceir.identifiers.luhn import calc_check_digit

    sample = [imei(n) for n in (0, 1, 77, 999_999)]
    values = np.char.add(bodies.astype(str), np.zeros(bodies.shape[0], dtype="U1"))
    values[[0, 1, 77, 999_999]] = sample
    assert calc_check_digit(sample[0][:14]) == sample[0][14]
    keys, masks = check_batch(values, CTX, make="Acme", model="A1")
    assert keys.shape == (1_000_000,) and (keys == bodies).all()
    assert int(masks[0]) == 0 and int(masks[77]) == 0
    assert codes(int(masks[5])) == ["malformed"]  # 14 digits written
