"""What is this string? Type detection across every identifier kind, with parts and findings.

Every kind whose `validate` accepts the text is a candidate; a label (``IMEI:``, ``IMSI:``,
``MEID``, ``ESN``) or a PEI prefix (``imei-``, ``mac-`` ...) narrows it to that kind. Many
strings are ambiguous (14 digits are an IMEI body and an MEID; 15 digits may be an IMEI and
an IMSI), so all candidates are listed, most specific first. To keep the list useful an
IMSI is proposed only at 15 digits and a MAC/EUI-64 only when written with a hex letter or
separators (16 bare decimal digits are an IMEISV). `tac_lookup` is a hook for the
device catalogue: called with the TAC, it may return model details to add to the IMEI parts.

The written form can say IMEI on its own: an ``IMEI`` label, an ``imei-`` PEI prefix, or the
digits grouped as an IMEI is printed (2-6-6-1 or 8-6-1, 3GPP TS 23.003 §6.2.1). Such a value is
judged as an IMEI only, so a mistyped check digit is reported as that, never read as an IMSI.
Bare 15 digits that fail as an IMEI still get that finding first, before other readings.

>>> [c["kind"] for c in describe("490154203237518")["candidates"]]
['IMEI', 'MEID']
>>> [c["kind"] for c in describe("IMEI 490154203237518")["candidates"]]
['IMEI']
>>> [c["kind"] for c in describe("35686800004141")["candidates"]]
['IMEI', 'MEID']
>>> [c["kind"] for c in describe("310260123456789")["candidates"]]
['IMSI']
>>> describe("310260123456789")["candidates"][0]["parts"]["mnc"]
'260'
>>> result = describe("490154203237519")
>>> result["valid"], [f.code for f in result["findings"]]
(False, ['bad_check_digit'])
>>> result = describe("35-209900-176148-2")
>>> result["form"], result["valid"], result["findings"][0].message
('IMEI', False, 'IMEI 352099001761482: bad check digit 2, expected 1')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from openceir.errors import InvalidIdentifier
from openceir.identifiers import esn, imei, imeisv, imsi, mac, meid, msisdn, pei
from openceir.identifiers.findings import Finding, finding

__all__ = ["KINDS", "describe", "form", "kinds"]

#: Kinds in the order candidates are listed.
KINDS = ("IMEI", "IMEISV", "MEID", "ESN", "MAC-48", "EUI-64", "IMSI", "MSISDN")

TacLookup = Callable[[str], "dict[str, Any] | None"]

_LABEL = re.compile(r"^\s*(IMEISV|IMEI|IMSI|MEID|ESN|MSISDN|MAC)\s*[:=#-]?\s*", re.IGNORECASE)

#: An IMEI as printed on a box or label: TAC (2-6 or 8) - serial (6) - check digit (1).
_IMEI_GROUPING = re.compile(r"^\s*\d{2}[ ./-]?\d{6}[ ./-]\d{6}[ ./-]\d\s*$")


def _imei_parts(value: str, tac_lookup: TacLookup | None) -> dict[str, Any]:
    canonical = imei.validate(value)
    parts: dict[str, Any] = {
        "tac": canonical[:8],
        "serial": canonical[8:14],
        "check_digit": canonical[14],
        "key": imei.key(value),
    }
    if tac_lookup is not None:
        model = tac_lookup(canonical[:8])
        if model:
            parts["device"] = model
    return parts


def _candidate(kind: str, value: str, country_code: str | None, tac_lookup: TacLookup | None):
    """(canonical, parts, findings) for `value` as `kind`; InvalidIdentifier if it is not."""
    if kind == "IMEI":
        canonical = imei.validate(value)
        if len(imei.compact(value)) == 16:
            raise InvalidIdentifier("16 digits: an IMEISV")
        return canonical, _imei_parts(value, tac_lookup), imei.findings(value)
    if kind == "IMEISV":
        canonical = imeisv.validate(value)
        parts = _imei_parts(canonical, tac_lookup)
        parts["software_version"] = canonical[14:]
        parts["imei"] = imeisv.imei(canonical)
        return canonical, parts, [f for f in imei.findings(canonical[:14]) if f.severity != "info"]
    if kind == "MEID":
        canonical = meid.validate(value)
        parts = {
            "manufacturer_code": canonical[:8],
            "serial": canonical[8:],
            "check_digit": meid.check_digit(canonical),
            "decimal": meid.to_decimal(canonical),
            "pseudo_esn": meid.pseudo_esn(canonical),
        }
        return canonical, parts, []
    if kind == "ESN":
        canonical = esn.validate(value)
        parts = {"manufacturer_code": canonical[:2], "serial": canonical[2:]}
        parts["decimal"] = esn.to_decimal(canonical)
        found = []
        if esn.is_pseudo(canonical):
            found.append(finding("known_null", "a pseudo-ESN (80...): derived, not unique"))
        return canonical, parts, found
    if kind in ("MAC-48", "EUI-64"):
        canonical = mac.validate(value)
        if value.isdigit() or mac.kind(canonical) != kind:
            raise InvalidIdentifier(f"not {kind}")
        parts = {
            "oui": canonical[:8],
            "multicast": mac.is_multicast(canonical),
            "locally_administered": mac.is_local(canonical),
            "pei": pei.to_pei("mac" if kind == "MAC-48" else "eui", canonical),
        }
        return canonical, parts, []
    if kind == "IMSI":
        canonical = imsi.validate(value)
        if len(canonical) != 15:
            raise InvalidIdentifier("IMSIs are detected only at their usual 15 digits")
        return canonical, imsi.info(canonical), []
    canonical = msisdn.validate(value, country_code)
    return canonical, msisdn.info(canonical), []


def form(value: str) -> str | None:
    """``"IMEI"`` when the written form says IMEI (label, ``imei-``, IMEI grouping), else None."""
    text = value.strip()
    match = _LABEL.match(text)
    if match and match.group(1).upper() == "IMEI":
        return "IMEI"
    if text[:5].lower() == "imei-" or _IMEI_GROUPING.match(text):
        return "IMEI"
    return None


def kinds(value: str) -> list[str]:
    """The kinds `value` could be, from a label, PEI prefix or IMEI grouping, else every kind."""
    text = value.strip()
    if form(text) == "IMEI" and not (text[:5].lower() == "imei-" and pei.is_valid(text)):
        return ["IMEI"]
    if text[:4].lower() in ("imei", "mac-", "eui-") and "-" in text[:7] and pei.is_valid(text):
        return [
            {"imei": "IMEI", "imeisv": "IMEISV", "mac": "MAC-48", "eui": "EUI-64"}[
                pei.parse(text)[0]
            ]
        ]
    match = _LABEL.match(text)
    if match:
        label = match.group(1).upper()
        return ["MAC-48", "EUI-64"] if label == "MAC" else [label]
    if text.startswith("+") or (text.startswith("00") and len(text.replace(" ", "")) < 16):
        return ["MSISDN"] if text.startswith("+") else [*KINDS]
    return [*KINDS]


def describe(
    value: object,
    country_code: str | None = None,
    tac_lookup: TacLookup | None = None,
) -> dict[str, Any]:
    """What `value` is: every candidate kind with canonical form, parts and findings."""
    if not isinstance(value, str):
        found = [finding("non_digit", f"not text: {type(value).__name__}")]
        return {"input": repr(value), "valid": False, "candidates": [], "findings": found}
    text = value
    match = _LABEL.match(text)
    stripped = text[match.end() :] if match else text
    if text.strip()[:4].lower() in ("imei", "mac-", "eui-") and pei.is_valid(text):
        stripped = pei.parse(text)[1]
    elif text.strip()[:5].lower() == "imei-":
        stripped = text.strip()[5:]
    candidates = []
    for kind in kinds(text):
        try:
            canonical, parts, found = _candidate(kind, stripped, country_code, tac_lookup)
        except InvalidIdentifier:
            continue
        candidates.append({"kind": kind, "value": canonical, "parts": parts, "findings": found})
    findings: list[Finding] = []
    if not candidates:
        findings = [f for f in imei.findings(stripped) if f.severity == "error"] or [
            finding("non_digit", "not a valid IMEI, IMEISV, MEID, ESN, MAC, IMSI or MSISDN")
        ]
    elif "IMEI" in kinds(text) and not any(c["kind"] == "IMEI" for c in candidates):
        findings = [f for f in imei.findings(stripped) if f.code == "bad_check_digit"]
    return {
        "input": text,
        "form": form(text),
        "valid": bool(candidates),
        "candidates": candidates,
        "findings": findings,
    }
