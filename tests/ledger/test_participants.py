"""Participants: registration file, roles and key rotation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openceir.errors import ConfigError, InputError
from openceir.ledger.participants import (
    UnknownParticipant,
    add_participant,
    load_participants,
)
from openceir.tlog import note


def test_added_participant_is_stored_sorted_and_reloaded(tmp_path: Path) -> None:
    police = note.generate_key("police.testland")
    maker = note.generate_key("maker.example")
    add_participant(tmp_path, police.verifier.vkey, ["police"])
    add_participant(tmp_path, maker.verifier.vkey, ["manufacturer"])
    data = json.loads((tmp_path / "participants.json").read_text())
    assert [p["name"] for p in data["participants"]] == ["maker.example", "police.testland"]
    registry = load_participants(tmp_path)
    p = registry.get("police.testland")
    assert p.keys == (police.verifier,)
    assert p.may_append("reported_stolen") and not p.may_append("blocked")


def test_second_key_keeps_the_first_for_old_entries(tmp_path: Path) -> None:
    old, new = note.generate_key("police.testland"), note.generate_key("police.testland")
    add_participant(tmp_path, old.verifier.vkey, ["police"])
    add_participant(tmp_path, new.verifier.vkey, ["police", "registrar"])
    p = load_participants(tmp_path).get("police.testland")
    assert p.keys == (old.verifier, new.verifier)
    assert p.roles == {"police", "registrar"}


def test_unknown_role_and_unknown_participant_are_errors(tmp_path: Path) -> None:
    key = note.generate_key("x.example")
    with pytest.raises(InputError, match="roles judge not allowed"):
        add_participant(tmp_path, key.verifier.vkey, ["judge"])
    with pytest.raises(UnknownParticipant, match=r"'x\.example' is not registered"):
        load_participants(tmp_path).get("x.example")


def test_corrupt_participants_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "participants.json").write_text('{"participants": [{"name": "a"}]}')
    with pytest.raises(ConfigError, match="not a valid participants file"):
        load_participants(tmp_path)
