"""What a support agent types is found: IMEI, IMEISV, 14-digit body, or raw malformed text."""

from __future__ import annotations

import pytest

from openceir.classify.explain import evidence_lines, imei_identity
from openceir.errors import InvalidIdentifier


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("356868000041414", (35686800004141, None)),
        ("35686800004141", (35686800004141, None)),
        ("3568680000414101", (35686800004141, None)),
        (" 001010000000013 ", (101000000001, None)),
        ("359136322420D87", (None, "359136322420D87")),
        ("1234567890123", (None, "1234567890123")),
    ],
)
def test_imei_identity(typed: str, expected: tuple) -> None:
    assert imei_identity(typed) == expected


@pytest.mark.parametrize("typed", ["", "   ", "35686800004141012345"])
def test_imei_identity_rejects(typed: str) -> None:
    with pytest.raises(InvalidIdentifier):
        imei_identity(typed)


def test_an_undecided_group_says_what_is_missing_and_invites_claims() -> None:
    from openceir.classify.clones import decide
    from tests.classify.test_clones import _use

    decision = decide([_use("a", 1, 20), _use("b", 1, 20)])
    lines = evidence_lines({"clones": decision})
    assert lines[1] == "SIMs notified and invited to claim: a, b"
    assert "missing evidence: no SIM is paired with this IMEI on the pairing list" in lines
    assert "missing evidence: SIMs a, b were all first seen on 2026-11-01" in lines
    assert "The owner can claim the phone with an ownership claim" in lines[0]
    waiting = evidence_lines(
        {"clones": decide([_use("a", 1, 20), _use("b", 1, 20)], policy="wait")}
    )
    assert waiting[1] == "undecided, none blocked yet: a, b"


def test_evidence_lines_read_as_sentences() -> None:
    lines = evidence_lines(
        {
            "duplicate_threshold": {"distinct_imsis": 3, "operators": ["alpha", "beta"]},
            "clones": {
                "decided": False,
                "genuine_imsis": [],
                "clone_imsis": ["a", "b"],
                "explanation": "nothing tells the genuine device apart",
            },
        }
    )
    assert lines == [
        "duplicate threshold (distinct SIM cards (IMSIs): 3; networks: alpha, beta)",
        "nothing tells the genuine device apart",
        "SIMs treated as duplicated: a, b",
    ]
