"""C2SP tlog-checkpoint bodies: strict parse, canonical format, signed by the log key."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from openceir.tlog import checkpoint, note

VECTORS = Path(__file__).resolve().parents[1] / "data" / "vectors"
SOFA = VECTORS / "note" / "c2sp-tlog-checkpoint"
TILES = VECTORS / "tiles"


def test_c2sp_example_checkpoint_parses_and_round_trips() -> None:
    parsed = note.parse((SOFA / "behind-the-sofa-unverifiable.checkpoint").read_bytes())
    cp = checkpoint.parse(parsed.text)
    assert (cp.origin, cp.size) == ("example.com/behind-the-sofa", 20852163)
    assert cp.root == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert cp.format() == parsed.text


def test_cosigned_example_keeps_both_signatures_unverified() -> None:
    parsed = note.parse((SOFA / "behind-the-sofa-cosigned-unverifiable.checkpoint").read_bytes())
    assert [s.name for s in parsed.unverified] == [
        "example.com/behind-the-sofa",
        "witness.example.com/w1",
    ]


def test_tessera_checkpoint_verifies_with_its_log_key() -> None:
    key = note.parse_vkey((TILES / "tessera-testdata-log.vkey").read_text())
    msg = (TILES / "tessera-testdata-log" / "checkpoint").read_bytes()
    cp, opened = checkpoint.open_checkpoint(msg, key)
    assert (cp.origin, cp.size) == ("example.com/log/testdata", 15)
    assert opened.sigs[0].key_id == 0x33D7B496


def test_checkpoint_with_a_flipped_root_bit_fails() -> None:
    key = note.parse_vkey((TILES / "tessera-testdata-log.vkey").read_text())
    msg = (TILES / "tessera-testdata-log" / "checkpoint").read_bytes()
    bad = msg.replace(b"rKbD", b"rKbE", 1)
    with pytest.raises(note.InvalidSignatureError):
        checkpoint.open_checkpoint(bad, key)


def test_signing_requires_the_origin_to_be_the_key_name() -> None:
    signer = note.generate_key("ceir.test/log")
    cp = checkpoint.Checkpoint("other/log", 1, bytes(32))
    with pytest.raises(checkpoint.MalformedCheckpointError, match="does not match origin"):
        checkpoint.sign(cp, signer)
    good = checkpoint.Checkpoint("ceir.test/log", 1, bytes(32), ("ext line",))
    got, _ = checkpoint.open_checkpoint(checkpoint.sign(good, signer), signer.verifier)
    assert got == good


ROOT = base64.b64encode(bytes(32)).decode()


@pytest.mark.parametrize(
    "body",
    [
        f"origin\n01\n{ROOT}\n",  # leading zero
        f"origin\n-1\n{ROOT}\n",
        f"origin\n18446744073709551616\n{ROOT}\n",  # 2**64
        f"origin\n1\n{ROOT}",  # no final newline
        f"\n1\n{ROOT}\n",  # empty origin
        "origin\n1\nAAAA\n",  # short hash
        f"origin\n1\n{ROOT[:-1]}\n",  # bad base64
        f"origin\n1\n{ROOT}\n\n",  # empty extension line
        "origin\n1\n",
    ],
)
def test_non_canonical_bodies_are_rejected(body: str) -> None:
    with pytest.raises(checkpoint.MalformedCheckpointError):
        checkpoint.parse(body)


def test_largest_size_is_accepted() -> None:
    assert checkpoint.parse(f"o\n18446744073709551615\n{ROOT}\n").size == 2**64 - 1
