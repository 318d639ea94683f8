"""Explain one IMEI's classification in words a support agent can read out (architecture §6)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection

from openceir.classify.state import history
from openceir.errors import InvalidIdentifier, NotFound

_WORDS = {
    "n_distinct": "distinct SIMs or numbers",
    "distinct_imsis": "distinct SIM cards (IMSIs)",
    "distinct_msisdns": "distinct phone numbers",
    "imsis": "SIM cards",
    "operators": "networks",
    "first_seen": "first seen",
    "last_seen": "last seen",
    "daily_avg": "SIM cards per day on average",
    "days_seen": "days seen",
    "shared_days": "days on two networks at once",
    "msisdns": "phone numbers",
    "msisdn_step": "step between numbers",
    "first_msisdn": "first number",
    "unexpected_rats": "unexpected radio technologies (bitmask)",
    "seen_rats": "radio technologies seen (bitmask)",
    "model_rats": "radio technologies the model supports (bitmask)",
    "reporting_date": "reported on",
    "delay_days": "days allowed for the TAC to reach the catalog",
    "km": "km apart",
    "hours": "hours between",
    "conflicts": "conflicting journeys",
    "versions": "software versions",
    "other_versions": "other software versions",
    "days_together": "days two SIMs were used together",
    "share_together": "share of the less active SIM's days used together",
    "tac_first_seen": "TAC first seen on any network",
}


def imei_identity(imei: str) -> tuple[int | None, str | None]:
    """(imei_key, imei_raw) for what a user typed: 14-16 digits, or the raw malformed text."""
    text = imei.strip()
    if not text:
        raise InvalidIdentifier("an IMEI is required", field="imei")
    if len(text) >= 14 and text[:14].isascii() and text[:14].isdigit():
        if len(text) > 16:
            raise InvalidIdentifier(f"{len(text)} characters, expected 14 to 16", field="imei")
        return int(text[:14]), None
    return None, text


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k} {_value(v)}" for k, v in value.items())
    return str(value)


def evidence_lines(evidence: dict[str, Any]) -> list[str]:
    """Evidence as sentences: one per dimension, and the clone decision."""
    lines = []
    for name, facts in evidence.items():
        if name == "clones":
            continue
        parts = [f"{_WORDS.get(k, k.replace('_', ' '))}: {_value(v)}" for k, v in facts.items()]
        lines.append(f"{name.replace('_', ' ')}" + (f" ({'; '.join(parts)})" if parts else ""))
    clone = evidence.get("clones")
    if clone:
        # Clone differentiation (classify.clones): the evidence in words, then the outcome.
        lines.append(clone["explanation"])
        if clone.get("genuine_imsis"):
            lines.append(f"genuine SIM, kept in service: {', '.join(clone['genuine_imsis'])}")
            lines.append(f"clone SIMs, to be blocked: {', '.join(clone['clone_imsis']) or 'none'}")
        elif clone.get("policy") == "wait":
            lines.append(f"undecided, none blocked yet: {', '.join(clone['clone_imsis'])}")
        elif clone.get("policy") in (None, "block_all"):  # None: recorded before policies
            lines.append(f"SIMs treated as duplicated: {', '.join(clone['clone_imsis']) or 'none'}")
        else:
            lines.append(
                f"SIMs notified and invited to claim: {', '.join(clone['clone_imsis']) or 'none'}"
            )
        for missing in clone.get("missing") or ():
            lines.append(f"missing evidence: {missing}")
    return lines


def explain(conn: Connection, imei: str, today: date | None = None) -> list[str]:
    """Paragraphs explaining every condition `imei` meets or met; NotFound if none."""
    key, raw = imei_identity(imei)
    rows = history(conn, key, raw)
    shown = f"{key:014d}" if key is not None else repr(raw)
    if not rows:
        raise NotFound(f"IMEI {shown} has never met a classification condition")
    today = today or date.today()
    out = []
    for r in rows:
        head = f"{r['condition']}: {r['reason']}"
        if r["end_date"] is None:
            when = f"Met since {r['start_date']}."
        else:
            when = f"Met from {r['start_date']} until {r['end_date']} (no longer met)."
        if not r["blocking"]:
            block = "This condition is informational: it does not block the phone."
        elif r["block_date"] is None:
            block = "No block date."
        elif r["end_date"] is not None:
            block = f"It would have been blocked on {r['block_date']}; it no longer applies."
        elif r["block_date"] <= today:
            block = f"Blocked since {r['block_date']}."
        else:
            block = f"Will be blocked on {r['block_date']} unless resolved before."
        if r["amnesty_granted"]:
            block += " (block date set by amnesty)"
        evidence = evidence_lines(r["evidence"] or {})
        out.append("\n".join([head, when, block, *(f"  - {e}" for e in evidence)]))
    return out


__all__ = ["evidence_lines", "explain", "imei_identity"]
