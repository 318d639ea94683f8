"""Signed Know Your Mobile receipts that a second-hand buyer can check offline.

A receipt is a JSON file:

    {"format": "openceir-kym-receipt/v1",
     "note": "<C2SP signed note>",       # text: the header line, then the answer as JSON
     "ceir_key": "<vkey of the signer>",
     "ledger": <inclusion proof JSON of the IMEI's latest ledger event> | null}

The note text is `openceir-kym-receipt/v1\\n<canonical JSON of {answer, time}>\\n`, signed
with the CEIR's key (the list-signing key, `openceir keys init`). `verify_receipt` checks the
signature against the key you trust (or, when none is given, the key in the file, which then
only proves the receipt is unaltered: compare it with the CEIR's published `ceir.vkey`), and
the ledger proof against the log key in it, and that the proven event is about the IMEI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from openceir.errors import InputError, IntegrityError
from openceir.ledger.events import verify_inclusion_bundle
from openceir.lists.keys import load_signer
from openceir.registry.kym import Answer, lookup
from openceir.settings import Settings
from openceir.tlog import note
from openceir.tlog.errors import TlogError

FORMAT = "openceir-kym-receipt/v1"
MAX_RECEIPT = 1 << 20


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def make_receipt(
    answer: Answer,
    signer: note.Signer,
    *,
    ledger_bundle: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A receipt for an answer, signed now (UTC seconds), with the ledger proof when given."""
    when = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = _canonical({"answer": answer.as_dict(), "time": when})
    signed = note.sign(f"{FORMAT}\n{body}\n", signer)
    return {
        "format": FORMAT,
        "note": signed.decode(),
        "ceir_key": signer.verifier.vkey,
        "ledger": ledger_bundle,
    }


@dataclass(frozen=True)
class VerifiedReceipt:
    """What a receipt proves: the answer, its time, the signer, and the ledger event if any."""

    answer: dict[str, Any]
    time: str
    signer: str
    key_given: bool
    ledger_event: dict[str, Any] | None


def verify_receipt(data: bytes, ceir_key: note.Verifier | None = None) -> VerifiedReceipt:
    """Check a receipt offline; IntegrityError for an altered or forged one, InputError when
    the file is not a receipt at all."""
    if len(data) > MAX_RECEIPT:
        raise InputError(f"a receipt is at most {MAX_RECEIPT} bytes", source="receipt")
    try:
        receipt = json.loads(data)
        signed, key_text = receipt["note"].encode(), receipt["ceir_key"]
        if receipt.get("format") != FORMAT:
            raise ValueError(receipt.get("format"))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InputError(f"not an {FORMAT} file", source="receipt") from None
    try:
        key = ceir_key or note.parse_vkey(str(key_text))
        opened = note.open_note(signed, [key])
    except TlogError as exc:
        raise IntegrityError(f"receipt signature does not verify: {exc}") from None
    header, _, body = opened.text.partition("\n")
    try:
        content = json.loads(body)
        answer, when = content["answer"], content["time"]
    except (ValueError, KeyError, TypeError):
        raise IntegrityError("receipt note is signed but its content is malformed") from None
    if header != FORMAT or body != _canonical(content) + "\n":
        raise IntegrityError("receipt note is signed but not in the receipt format")
    event = None
    bundle = receipt.get("ledger")
    if bundle is not None:
        try:
            log_key = note.parse_vkey(str(bundle["log_key"]))
        except (TlogError, KeyError, TypeError) as exc:
            raise IntegrityError(f"receipt ledger proof has no usable log key: {exc}") from None
        event = verify_inclusion_bundle(bundle, log_key)
        if answer.get("imei") not in event.get("imeis", []):
            raise IntegrityError(
                f"receipt ledger proof is about {event.get('imeis')}, not {answer.get('imei')}"
            )
    return VerifiedReceipt(answer, when, key.name, ceir_key is not None, event)


def ledger_bundle_for(ledger_dir: Path, imei: str) -> dict[str, Any] | None:
    """The inclusion proof of the IMEI's latest ledger event, or None (no ledger, no event)."""
    from openceir.errors import NotFound
    from openceir.ledger.events import ImeiLedger
    from openceir.ledger.storage import LedgerFiles

    if not LedgerFiles(ledger_dir).exists():
        return None
    ledger = ImeiLedger.open(ledger_dir)
    try:
        return ledger.inclusion_bundle(ledger.latest_index(imei))
    except NotFound:
        return None


def issue_receipt(
    session: Session, settings: Settings, imei: str, *, now: datetime | None = None
) -> dict[str, Any]:
    """The signed receipt of today's answer about an IMEI (CEIR key from `openceir keys`)."""
    now = now or datetime.now(UTC)
    answer = lookup(session, imei, now.date())
    bundle = ledger_bundle_for(settings.data_dir / "ledger", answer.imei) if answer.valid else None
    return make_receipt(answer, load_signer(settings.data_dir), ledger_bundle=bundle, now=now)


__all__ = [
    "FORMAT",
    "VerifiedReceipt",
    "issue_receipt",
    "ledger_bundle_for",
    "make_receipt",
    "verify_receipt",
]
