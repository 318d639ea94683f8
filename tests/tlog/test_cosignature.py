"""C2SP tlog-cosignature v1: the signed message, cosignature lines and keys."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from openceir.tlog import cosignature, note

VECTORS = Path(__file__).resolve().parents[1] / "data" / "vectors" / "note" / "c2sp-tlog-checkpoint"
NOW = 1_800_000_000


def test_cosigned_message_matches_the_c2sp_example() -> None:
    body = note.parse((VECTORS / "behind-the-sofa-unverifiable.checkpoint").read_bytes()).text
    want = (VECTORS / "cosignature-v1-signed-message.txt").read_bytes()
    assert cosignature.cosigned_message(body, 1679315147) == want


def test_example_cosignature_line_carries_its_timestamp() -> None:
    parsed = note.parse((VECTORS / "behind-the-sofa-cosigned-unverifiable.checkpoint").read_bytes())
    w1 = parsed.unverified[1]
    raw = base64.b64decode(w1.base64)
    assert (w1.name, len(raw), int.from_bytes(raw[4:12], "big")) == (
        "witness.example.com/w1",
        76,
        1679315147,
    )


def test_cosigner_keys_round_trip_and_cosignatures_verify_or_fail() -> None:
    cosigner = cosignature.generate_cosigner("witness.testland/w1")
    again = cosignature.parse_cosigner_skey(cosigner.skey)
    assert again.verifier == cosigner.verifier
    assert cosignature.parse_cosigner_vkey(cosigner.verifier.vkey) == cosigner.verifier
    body = "o\n1\n" + base64.b64encode(bytes(32)).decode() + "\n"
    line = cosigner.cosign(body, NOW)
    msg = (body + "\n" + line).encode()
    assert cosignature.cosignature_times(msg, [cosigner.verifier]) == {"witness.testland/w1": NOW}
    flipped = msg.replace(b"\n1\n", b"\n2\n", 1)
    assert cosignature.cosignature_times(flipped, [cosigner.verifier]) == {}
    with pytest.raises(note.MalformedNoteError):
        cosignature.parse_cosigner_vkey(note.generate_key("x").verifier.vkey)  # a 0x01 key
