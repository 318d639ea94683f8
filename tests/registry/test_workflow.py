"""The request workflow: every allowed move, and a clear error for the rest."""

from __future__ import annotations

import pytest

from openceir.errors import InputError
from openceir.registry import workflow


def test_the_dirbs_path_from_new_to_approved() -> None:
    state = workflow.NEW
    for action, want in [
        ("request_documents", "awaiting_documents"),
        ("submit", "pending_review"),
        ("assign", "in_review"),
        ("request_information", "information_requested"),
        ("submit", "pending_review"),
        ("assign", "in_review"),
        ("approve", "approved"),
    ]:
        state = workflow.next_state(state, action)
        assert state == want


@pytest.mark.parametrize("final", sorted(workflow.FINAL))
def test_final_states_allow_nothing(final: str) -> None:
    with pytest.raises(InputError, match=rf"state {final} cannot submit; it can: nothing"):
        workflow.next_state(final, "submit")


def test_a_wrong_move_names_the_allowed_ones() -> None:
    with pytest.raises(InputError, match="it can: close, request_documents, submit"):
        workflow.next_state(workflow.NEW, "approve")


def test_every_state_is_reachable_and_every_move_ends_in_a_state() -> None:
    assert set(workflow.MOVES.values()) | {workflow.NEW} == set(workflow.STATES)
