"""Findings: why an identifier is invalid or suspicious, as data rather than a boolean.

Every check reports a `Finding` with a stable `code`, a `severity` and a human message.
Severities: ``error`` (not a valid identifier of the kind asked for), ``warning`` (valid in
form but not a real, uniquely allocated device: test, placeholder or shared values) and
``info`` (how it was written: no check digit, IMEISV given for an IMEI).

The reference data is kept as CSV files beside this module, each row naming its source:

- ``data/reporting_bodies.csv``: Reporting Body Identifiers, the first two TAC digits
  (GSMA TS.06 Appendix A; 3GPP TS 23.003 §6.2.1 defines the TAC). RBI 00 and 02-09 are
  test IMEIs; a prefix not in the table was never allocated (``reserved_prefix``).
- ``data/test_tacs.csv``: named test ranges (00 10 01 .. 00 10 17, 00 44, 00 86, 00 91).
- ``data/shared_imeis.csv``: known null or widely shared IMEI bodies (``known_null``).

Each code has a bit so that `openceir.identifiers.bulk` can return findings as an integer mask:

>>> CODES["bad_check_digit"].bit
4
>>> [f.code for f in body_findings("00101000000001")]
['test_tac']
>>> [f.code for f in body_findings("35686800004141")]
[]
>>> [f.code for f in body_findings("99999999999999")]
['repeated_digit']
>>> codes_from_mask(mask_of(["bad_length", "non_digit"]))
['bad_length', 'non_digit']
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "CODES",
    "Code",
    "Finding",
    "body_findings",
    "codes_from_mask",
    "finding",
    "known_null_bodies",
    "mask_of",
    "reporting_body",
    "test_range",
]


@dataclass(frozen=True)
class Finding:
    """One reason about an identifier: a stable code, a severity and a sentence for people."""

    code: str
    severity: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """The finding as a JSON-ready dict."""
        return {"code": self.code, "severity": self.severity, "message": self.message}


@dataclass(frozen=True)
class Code:
    """A finding code: its bit in bulk masks, its severity and what it means."""

    name: str
    bit: int
    severity: str
    meaning: str


_CODE_LIST = [
    ("bad_length", "error", "wrong number of characters for the identifier kind"),
    ("non_digit", "error", "a character that is not an accepted digit"),
    ("bad_check_digit", "error", "the Luhn check digit does not match the body"),
    ("test_tac", "warning", "a test IMEI range (RBI 00 or 02-09), not a production device"),
    ("all_zero", "warning", "all digits are zero: no IMEI was written to the device"),
    ("repeated_digit", "warning", "one digit repeated throughout: a placeholder"),
    ("sequential", "warning", "an ascending or descending digit run: a placeholder"),
    ("reserved_prefix", "warning", "the first two digits are no allocated Reporting Body"),
    ("known_null", "warning", "a known null or widely shared IMEI (data/shared_imeis.csv)"),
    ("no_check_digit", "info", "14-digit body given without its check digit"),
    ("imeisv_given", "info", "a 16-digit IMEISV given where an IMEI was expected"),
]

#: Every finding code, in bit order.
CODES: dict[str, Code] = {
    name: Code(name, 1 << i, severity, meaning)
    for i, (name, severity, meaning) in enumerate(_CODE_LIST)
}


def finding(code: str, message: str) -> Finding:
    """A Finding for a registered `code` (its severity comes from the registry)."""
    return Finding(code, CODES[code].severity, message)


def mask_of(codes: list[str]) -> int:
    """The integer bitmask for a list of codes (the bulk form)."""
    mask = 0
    for code in codes:
        mask |= CODES[code].bit
    return mask


def codes_from_mask(mask: int) -> list[str]:
    """The codes set in a bulk bitmask, in registry order; inverse of `mask_of`."""
    return [code.name for code in CODES.values() if int(mask) & code.bit]


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("openceir.identifiers").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def _reporting_bodies() -> dict[str, dict[str, str]]:
    return {row["rbi"]: row for row in _read("reporting_bodies.csv")}


@cache
def _test_ranges() -> tuple[tuple[str, str], ...]:
    rows = sorted(_read("test_tacs.csv"), key=lambda r: -len(r["prefix"]))
    return tuple((row["prefix"], row["meaning"]) for row in rows)


@cache
def _shared() -> dict[str, dict[str, str]]:
    return {row["body"]: row for row in _read("shared_imeis.csv")}


def reporting_body(tac_or_body: str) -> dict[str, str] | None:
    """The Reporting Body row (rbi, body, origin, status, source) for a TAC's first 2 digits."""
    return _reporting_bodies().get(tac_or_body[:2])


def test_range(tac_or_body: str) -> str | None:
    """What test range a TAC falls in (named range, else the RBI's test meaning), or None."""
    for prefix, meaning in _test_ranges():
        if tac_or_body.startswith(prefix):
            return meaning
    body = reporting_body(tac_or_body)
    if body and body["status"] == "test":
        return f"RBI {tac_or_body[:2]}: {body['body']} ({body['origin']})"
    return None


def known_null_bodies() -> dict[str, dict[str, str]]:
    """The known null / shared IMEI bodies (14 digits) with their reason and source."""
    return dict(_shared())


def _is_sequential(body: str) -> bool:
    first = int(body[0])
    up = "".join(str((first + i) % 10) for i in range(len(body)))
    down = "".join(str((first - i) % 10) for i in range(len(body)))
    return body in (up, down)


def body_findings(body: str) -> list[Finding]:
    """Findings about a 14-digit IMEI body (TAC + serial): test, placeholder, shared, RBI."""
    found: list[Finding] = []
    test = test_range(body)
    if test:
        found.append(finding("test_tac", f"TAC {body[:8]} is a test range: {test}"))
    if body == "0" * len(body):
        found.append(finding("all_zero", "every digit is 0: the device has no IMEI written"))
    elif body == body[0] * len(body):
        found.append(finding("repeated_digit", f"the digit {body[0]} repeated: a placeholder"))
    elif _is_sequential(body):
        found.append(finding("sequential", f"{body} is a run of consecutive digits"))
    if reporting_body(body) is None:
        found.append(
            finding(
                "reserved_prefix",
                f"no Reporting Body was ever assigned {body[:2]} (GSMA TS.06 Appendix A)",
            )
        )
    shared = _shared().get(body)
    if shared:
        found.append(finding("known_null", f"known shared IMEI: {shared['reason']}"))
    return found
