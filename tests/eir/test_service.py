"""EirService: policy, atomic swap and reload pacing."""

from __future__ import annotations

from pathlib import Path

import pytest

from openceir.eir.service import EirPolicy, EirService
from openceir.errors import ConfigError
from tests.eir.conftest import STOLEN, UNLISTED, build


def test_reload_swaps_only_when_current_changes(eir_root: Path) -> None:
    service = EirService(eir_root)
    before = service.snapshot
    assert service.reload() is False and service.snapshot is before
    build(eir_root, "run-2", blocked=None)
    assert service.decide(STOLEN).status == "BLACKLISTED"  # still on run-1 until reloaded
    assert service.reload() is True
    assert (service.snapshot.run_id, service.generation) == ("run-2", 2)
    assert service.decide(STOLEN).status == "WHITELISTED"


def test_maybe_reload_checks_at_most_once_per_interval(eir_root: Path) -> None:
    service = EirService(eir_root, reload_interval=3600)
    service.maybe_reload()  # first call checks, and schedules the next in an hour
    build(eir_root, "run-2")
    service.maybe_reload()
    assert service.snapshot.run_id == "run-1"
    service.reload_interval = 0
    service._next_check = 0
    service.maybe_reload()
    assert service.snapshot.run_id == "run-2"


def test_restrictive_mode_needs_a_registered_list(tmp_path: Path) -> None:
    build(tmp_path, registered=None)
    with pytest.raises(ConfigError, match="no registered list"):
        EirService(tmp_path, EirPolicy(restrictive=True))
    assert EirService(tmp_path).decide(UNLISTED).status == "WHITELISTED"


def test_policy_refuses_an_unknown_answer_name() -> None:
    with pytest.raises(ConfigError, match="not-found"):
        EirPolicy(unknown="maybe")


def test_mac_pei_is_unlisted_but_unknown_in_restrictive_mode(eir_root: Path) -> None:
    assert EirService(eir_root).decide(None).status == "WHITELISTED"
    strict = EirService(eir_root, EirPolicy(restrictive=True, unknown="blacklisted"))
    assert strict.decide(None) == ("BLACKLISTED", ("not registered",))
