"""RAT masks render as 3GPP codes or generation words, and as GSMA bands."""

from __future__ import annotations

from openceir.simulate import radio


def test_codes_are_sorted_3gpp_rat_types() -> None:
    assert radio.codes(radio.GERAN | radio.EUTRAN | radio.NR) == "002|006|010"
    assert radio.codes(radio.UTRAN) == "001"
    assert radio.codes(radio.NBIOT | radio.LTEM) == "008|009"


def test_words_merge_iot_rats_into_4g() -> None:
    assert radio.words(radio.GERAN | radio.UTRAN) == "2G|3G"
    assert radio.words(radio.EUTRAN | radio.LTEM) == "4G"
    assert radio.words(radio.NR) != "4G"


def test_bands_of_a_2g_only_phone_name_no_lte() -> None:
    assert radio.bands(radio.GERAN) == "GSM 850,GSM 900,GSM 1800,GSM 1900"
    assert "LTE" not in radio.bands(radio.GERAN | radio.UTRAN)
    assert radio.dictionary(True)[radio.GERAN | radio.NR].as_py() == "2G|5G"
