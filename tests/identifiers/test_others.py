"""IMEISV, MEID, ESN, MAC/EUI-64, IMSI, MSISDN, TAC and PEI: canonical forms and rejections."""

from __future__ import annotations

import pytest
from stdnum import meid as stdnum_meid

from openceir.errors import InvalidIdentifier
from openceir.identifiers import detect, esn, imeisv, imsi, mac, meid, msisdn, pei, tac


def test_imeisv_gives_imei_and_software_version() -> None:
    assert imeisv.validate("35 686800 004141 20") == "3568680000414120"
    assert imeisv.imei("3568680000414120") == "356868000041418"
    assert imeisv.svn("3568680000414120") == "20"
    with pytest.raises(InvalidIdentifier, match="reserved"):
        imeisv.validate("3568680000414199")


@pytest.mark.parametrize(
    "value", ["AF0123450ABCDE", "af 01 23 45 0a bc de c", "293608736500703710"]
)
def test_meid_forms_agree_with_python_stdnum(value: str) -> None:
    assert meid.validate(value) == stdnum_meid.validate(value) == "AF0123450ABCDE"


def test_meid_rejects_bad_check_digit_and_derives_pesn() -> None:
    assert meid.pseudo_esn("AF0123450ABCDE") == "8016B128"
    with pytest.raises(InvalidIdentifier, match="check digit"):
        meid.validate("AF0123450ABCDE1")


def test_esn_hex_and_decimal_round_trip() -> None:
    assert esn.validate("12801487144") == "8016B128"
    assert esn.to_decimal("8016b128") == "12801487144"
    assert esn.is_pseudo("8016B128") is True
    with pytest.raises(InvalidIdentifier, match="out of range"):
        esn.validate("99999999999")


def test_mac_and_eui64_forms() -> None:
    assert mac.validate("001A.2B3C.4D5E") == "00-1a-2b-3c-4d-5e"
    assert mac.kind("00:1a:2b:ff:fe:3c:4d:5e") == "EUI-64"
    assert mac.format("00-1a-2b-3c-4d-5e") == "00:1A:2B:3C:4D:5E"
    with pytest.raises(InvalidIdentifier, match="not allowed"):
        mac.validate("00:1A:2B:3C:4D:5G")


@pytest.mark.parametrize(
    ("value", "parts"),
    [
        ("310260123456789", ("310", "260", "123456789")),
        ("234150123456789", ("234", "15", "0123456789")),
        ("IMSI: 404 45 1234567890", ("404", "45", "1234567890")),
    ],
)
def test_imsi_split_uses_the_mnc_length_of_the_mcc(value: str, parts: tuple[str, str, str]) -> None:
    assert imsi.split(value) == parts


def test_imsi_rejects_unknown_mcc() -> None:
    assert imsi.is_valid("100010123456789") is False
    with pytest.raises(InvalidIdentifier, match="country code"):
        imsi.validate("100010123456789")


@pytest.mark.parametrize(
    ("value", "cc"),
    [("+44 7400 123456", None), ("07400 123456", "44"), ("0044-7400-123456", None)],
)
def test_msisdn_is_e164_digits(value: str, cc: str | None) -> None:
    assert msisdn.validate(value, country_code=cc) == "447400123456"


def test_msisdn_rejects_invalid_and_unknown_country_code() -> None:
    with pytest.raises(InvalidIdentifier, match="not a valid number"):
        msisdn.validate("+44 12", None)
    with pytest.raises(InvalidIdentifier, match="unknown country code"):
        msisdn.validate("07400123456", country_code="999")


def test_tac_reporting_body_and_test_ranges() -> None:
    assert tac.reporting_body("35686800")["rbi"] == "35"
    assert tac.is_test("00101700") is True
    assert tac.is_test("35686800") is False


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("imei-490154203237518", ("imei", "490154203237518")),
        ("imeisv-3568680000414120", ("imeisv", "3568680000414120")),
        ("mac-00-1A-2B-3C-4D-5E", ("mac", "00-1a-2b-3c-4d-5e")),
        ("mac-00-1a-2b-3c-4d-5e-untrusted", ("mac", "00-1a-2b-3c-4d-5e")),
        ("eui-00-1a-2b-ff-fe-3c-4d-5e", ("eui", "00-1a-2b-ff-fe-3c-4d-5e")),
    ],
)
def test_pei_parse(value: str, parsed: tuple[str, str]) -> None:
    assert pei.parse(value) == parsed


@pytest.mark.parametrize("value", ["imei-49015420323751", "mac-001a2b3c4d5e", "nai-x@y", "IMEI-1"])
def test_pei_rejects_other_forms(value: str) -> None:
    assert pei.is_valid(value) is False


@pytest.mark.parametrize(
    ("value", "kinds"),
    [
        ("IMEI 490154203237518", ["IMEI"]),
        ("3568680000414120", ["IMEISV"]),
        ("AF0123450ABCDE", ["MEID"]),
        ("35686800004141", ["IMEI", "MEID"]),
        ("8016B128", ["ESN"]),
        ("00:1a:2b:3c:4d:5e", ["MAC-48"]),
        ("imei-490154203237518", ["IMEI"]),
        ("+44 7400 123456", ["MSISDN"]),
        ("310260123456789", ["IMSI"]),
    ],
)
def test_detect_lists_candidate_kinds(value: str, kinds: list[str]) -> None:
    assert [c["kind"] for c in detect.describe(value)["candidates"]] == kinds


def test_detect_reports_why_nothing_matched() -> None:
    result = detect.describe("490154203237519")
    assert result["valid"] is False
    assert [f.code for f in result["findings"]] == ["bad_check_digit"]


def test_detect_calls_the_tac_lookup_hook() -> None:
    catalog = {"49015420": {"manufacturer": "Acme", "model": "One"}}
    result = detect.describe("490154203237518", tac_lookup=catalog.get)
    assert result["candidates"][0]["parts"]["device"] == {"manufacturer": "Acme", "model": "One"}
