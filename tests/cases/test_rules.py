"""Pure case rules: report fields, transitions, request IDs, the new-identity rule."""

from __future__ import annotations

from datetime import date

import pytest

from openceir.cases import rules
from openceir.errors import InputError

TODAY = date(2026, 12, 2)


def check(**raw):
    return rules.check_report(raw, "254", TODAY)


def test_a_good_report_is_canonical():
    r = check(imei="49-015420-323751-8", imei2="35693803564380", msisdn="0711 000001",
              mode="WATCH", incident_date="2026-12-01")  # fmt: skip
    assert r.imeis == ["490154203237518", "356938035643809"]
    assert (r.msisdn, r.mode, r.kind, r.incident_date) == (
        "254711000001",
        "watch",
        "stolen",
        date(2026, 12, 1),
    )


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"msisdn": "254711000001"}, "imei", "at least one IMEI"),
        ({"imei": "490154203237519", "msisdn": "254711000001"}, "imei", "bad check digit"),
        ({"imei": "490154203237518", "imei2": "49015420323751", "msisdn": "254711000001"},
         "imei2", "the two IMEIs are the same"),
        ({"imei": "490154203237518", "msisdn": "12"}, "msisdn", "not a valid number"),
        ({"imei": "490154203237518"}, "msisdn", "give the phone's MSISDN"),
        ({"imei": "490154203237518", "msisdn": "254711000001", "kind": "borrowed"}, "kind",
         "use one of lost, stolen"),
        ({"imei": "490154203237518", "msisdn": "254711000001", "incident_date": "2027-01-01"},
         "incident_date", "in the future"),
        ({"imei": "490154203237518", "msisdn": "254711000001", "contact_email": "nobody"},
         "contact_email", "not an e-mail"),
    ],
)  # fmt: skip
def test_bad_reports_name_the_field(raw, field, message):
    with pytest.raises(InputError, match=message) as info:
        rules.check_report(raw, "254", TODAY)
    assert info.value.field == field


def test_transitions():
    assert rules.next_status("recover", "open", "RQ-X") == "recovered"
    assert rules.next_status("unblock", "recovered", "RQ-X") == "closed"
    with pytest.raises(InputError, match="case RQ-X is closed; it cannot be recovered"):
        rules.next_status("recover", "closed", "RQ-X")
    with pytest.raises(InputError, match="is reversed"):
        rules.next_status("reverse", "reversed", "RQ-X")


def test_request_ids_round_trip_through_what_people_type():
    rid = rules.new_request_id()
    assert rules.normal_request_id(rid.lower().replace("-", " ")) == rid
    with pytest.raises(InputError, match="not a request ID"):
        rules.normal_request_id("RQ-0000-0000")


def test_new_identity_rule():
    assert not rules.is_new_identity("2547", [], "639010000000001", "2547")
    assert rules.is_new_identity("2547", [], "639010000000001", "2548")
    assert rules.is_new_identity("2547", ["639010000000001"], "639010000000002", None)
    assert not rules.is_new_identity("2547", ["639010000000001"], "639010000000001", None)


def test_model_warnings_compare_against_the_catalog():
    r = check(imei="490154203237518", msisdn="254711000001", brand="Apple", model="iPhone 15")
    catalog = {"49015420": {"brand": "Samsung", "manufacturer": "Samsung", "model": "Galaxy S9"}}
    assert rules.model_warnings(r, catalog) == [
        "IMEI 490154203237518: the TAC catalog says brand 'Samsung', not 'Apple'",
        "IMEI 490154203237518: the TAC catalog says model 'Galaxy S9', not 'iPhone 15'",
    ]
    r.brand, r.model = "samsung", "galaxy-s9"
    assert rules.model_warnings(r, catalog) == []
    assert rules.model_warnings(r, {}) == [
        "IMEI 490154203237518: TAC 49015420 is not in the TAC catalog"
    ]
