"""PEI, SUPI and GPSI parsing (TS 29.571 forms)."""

from __future__ import annotations

import doctest

import pytest

import openceir.eir.pei as pei_module
from openceir.eir.pei import imei_key, parse_gpsi, parse_pei, parse_supi
from openceir.errors import InputError


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        ("imei-490154203237518", "imei", 49015420323751),
        ("imeisv-4901542032375101", "imeisv", 49015420323751),
        ("mac-00-11-22-aa-BB-cc", "mac", None),
        ("mac-00-11-22-aa-bb-cc-untrusted", "mac", None),
        ("eui-00-11-22-33-44-55-66-77", "eui", None),
    ],
)
def test_parse_pei_accepts_every_spec_form(text: str, kind: str, key: int | None) -> None:
    parsed = parse_pei(text)
    assert (parsed.kind, parsed.key) == (kind, key)


@pytest.mark.parametrize(
    "text",
    [
        "imei-49015420323751",
        "imei-4901542032375181",
        "imei-49015420323751x",
        "imeisv-490154203237518",
        "mac-00-11-22",
        "eui-00-11",
        "490154203237518",
        "",
        "imei-４９０１５４２０３２３７５１８",
        " imei-490154203237518",  # padding: the SBI form is exact (issue 11 item 11)
        "imei-490154203237518\n",
        "imei-490154203237518 ",
        "imeisv-4901542032375199",  # software version 99 is reserved
    ],
)
def test_parse_pei_rejects_malformed(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_pei(text)
    assert info.value.field == "pei"


def test_supi_and_gpsi_forms() -> None:
    assert parse_supi("imsi-639011234567890") == "639011234567890"
    assert parse_supi("nai-user@realm") is None
    assert parse_gpsi("msisdn-254700000001") == "254700000001"
    assert parse_gpsi("extid-user@domain") is None
    for bad, func in (
        ("imsi-63901x", parse_supi),
        ("imsi", parse_supi),
        ("msisdn-12", parse_gpsi),
        ("tel-1", parse_gpsi),
    ):
        with pytest.raises(InputError):
            func(bad)


def test_imei_key_drops_check_digit_and_software_version() -> None:
    assert imei_key("49015420323751") == imei_key("4901542032375189") == 49015420323751
    with pytest.raises(InputError, match="not an IMEI"):
        imei_key("A1000000000000")


def test_module_doctests_pass() -> None:
    assert doctest.testmod(pei_module).failed == 0


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("imei-12345", "'imei-12345' is not imei- with 15 digits"),
        ("imei-490154203237518\n", "'imei-490154203237518\\n' is not imei- with 15 digits"),
        ("imeisv-49", "'imeisv-49' is not imeisv- with 16 digits"),
        (" imei-490154203237518", "' imei-490154203237518' is not a PEI (imei-, imeisv-, "),
        ("tac-1", "'tac-1' is not a PEI (imei-, imeisv-, mac- or eui- form)"),
        ("imeisv-4901542032375199", "software version 99 is reserved"),
    ],
)
def test_refusals_keep_the_eir_wording(text: str, detail: str) -> None:
    with pytest.raises(InputError) as info:
        parse_pei(text)
    assert detail in info.value.reason


def test_the_eir_parses_once_with_the_identifiers_network_mode() -> None:
    from openceir.identifiers import pei as identifiers_pei

    for text in ("imei-490154203237510", "imeisv-4901542032375101", "mac-00-11-22-AA-bb-cc"):
        kind, value = identifiers_pei.parse(text, sbi=True)
        assert parse_pei(text)[:2] == (kind, value)
    assert identifiers_pei.parse(" imei-490154203237518") == ("imei", "490154203237518")
