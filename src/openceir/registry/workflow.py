"""The reviewer workflow of a registration request: states and the actions between them.

After DIRBS device registration: New -> Awaiting documents -> Pending review -> In review
-> Information requested -> Approved / Rejected / Closed. `next_state` is the one table of
allowed moves; anything else is an InputError naming the state and the actions it allows.
"""

from __future__ import annotations

from openceir.errors import InputError

NEW = "new"
AWAITING_DOCUMENTS = "awaiting_documents"
PENDING_REVIEW = "pending_review"
IN_REVIEW = "in_review"
INFORMATION_REQUESTED = "information_requested"
APPROVED = "approved"
REJECTED = "rejected"
CLOSED = "closed"

STATES = (
    NEW,
    AWAITING_DOCUMENTS,
    PENDING_REVIEW,
    IN_REVIEW,
    INFORMATION_REQUESTED,
    APPROVED,
    REJECTED,
    CLOSED,
)
FINAL = frozenset({APPROVED, REJECTED, CLOSED})

MOVES: dict[tuple[str, str], str] = {
    (NEW, "request_documents"): AWAITING_DOCUMENTS,
    (NEW, "submit"): PENDING_REVIEW,
    (AWAITING_DOCUMENTS, "submit"): PENDING_REVIEW,
    (PENDING_REVIEW, "assign"): IN_REVIEW,
    (IN_REVIEW, "assign"): IN_REVIEW,
    (IN_REVIEW, "request_information"): INFORMATION_REQUESTED,
    (INFORMATION_REQUESTED, "submit"): PENDING_REVIEW,
    (IN_REVIEW, "approve"): APPROVED,
    (IN_REVIEW, "reject"): REJECTED,
    **{
        (state, "close"): CLOSED
        for state in (NEW, AWAITING_DOCUMENTS, PENDING_REVIEW, IN_REVIEW, INFORMATION_REQUESTED)
    },
}
"""(state, action) -> new state: every move a request can make."""


def next_state(state: str, action: str) -> str:
    """The state after `action`, or an InputError listing what `state` allows."""
    try:
        return MOVES[(state, action)]
    except KeyError:
        allowed = sorted(a for s, a in MOVES if s == state) or ["nothing (final)"]
        raise InputError(
            f"a request in state {state} cannot {action}; it can: {', '.join(allowed)}",
            field="action",
        ) from None


__all__ = ["FINAL", "MOVES", "STATES", "next_state"]
