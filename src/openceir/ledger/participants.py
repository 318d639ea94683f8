"""Ledger participants: who may sign which events, kept in `<ledger>/participants.json`.

A participant is a regulator, police force, manufacturer, importer or peer CEIR known by a
C2SP key name, one or more Ed25519 verifier keys (vkeys; the key name is the participant
name) and roles. Each role lets it append some event types (`EVENT_ROLES`); the CEIR's
own role `ceir` may append all of them. The file is JSON, sorted, one object per participant:

    {"participants": [{"name": "police.testland", "keys": ["police.testland+1a2b3c4d+A..."],
                       "roles": ["police"]}]}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from openceir.errors import ConfigError, InputError, IntegrityError
from openceir.ledger.storage import PARTICIPANTS, write_atomic
from openceir.tlog import note

EVENT_ROLES: dict[str, frozenset[str]] = {
    "tac_allocated": frozenset({"tac_allocator", "ceir"}),
    "device_manufactured": frozenset({"manufacturer", "ceir"}),
    "device_registered": frozenset({"registrar", "ceir"}),
    "device_deregistered": frozenset({"registrar", "ceir"}),
    "reported_stolen": frozenset({"police", "ceir"}),
    "recovered": frozenset({"police", "ceir"}),
    "blocked": frozenset({"ceir"}),
    "unblocked": frozenset({"ceir"}),
}
ROLES = frozenset().union(*EVENT_ROLES.values())


class UnknownParticipant(IntegrityError):
    """An event signed in the name of a participant that is not registered."""


class RoleNotAllowed(IntegrityError):
    """A participant appending an event type that none of its roles allows."""


@dataclass(frozen=True)
class Participant:
    """A registered participant: its name, verifier keys and roles."""

    name: str
    keys: tuple[note.Verifier, ...]
    roles: frozenset[str]

    def may_append(self, event_type: str) -> bool:
        """True when one of the participant's roles allows this event type."""
        return bool(self.roles & EVENT_ROLES.get(event_type, frozenset()))

    def to_json(self) -> dict[str, object]:
        """The participant as stored in participants.json."""
        return {"name": self.name, "keys": [k.vkey for k in self.keys], "roles": sorted(self.roles)}


class Participants:
    """The registered participants of one ledger, by name."""

    def __init__(self, participants: list[Participant] | None = None) -> None:
        self.by_name = {p.name: p for p in participants or []}

    def get(self, name: str) -> Participant:
        """The participant with this name, or UnknownParticipant."""
        try:
            return self.by_name[name]
        except KeyError:
            raise UnknownParticipant(f"participant {name!r} is not registered") from None

    def __len__(self) -> int:
        return len(self.by_name)


def _check_roles(roles: list[str] | set[str] | frozenset[str]) -> frozenset[str]:
    unknown = sorted(set(roles) - ROLES)
    if unknown or not roles:
        choices = ", ".join(sorted(ROLES))
        bad = ", ".join(unknown) or "(none)"
        raise InputError(f"roles {bad} not allowed; choose from {choices}", field="roles")
    return frozenset(roles)


def load_participants(ledger_dir: Path) -> Participants:
    """Read participants.json (an empty registry when the file does not exist)."""
    path = Path(ledger_dir) / PARTICIPANTS
    if not path.is_file():
        return Participants()
    try:
        data = json.loads(path.read_text())
        rows = data["participants"]
        out = []
        for row in rows:
            keys = tuple(note.parse_vkey(k) for k in row["keys"])
            if any(k.name != row["name"] for k in keys):
                raise ConfigError(f"{path}: a key of {row['name']!r} has another name")
            out.append(Participant(row["name"], keys, _check_roles(row["roles"])))
    except (ValueError, KeyError, TypeError, note.NoteError, InputError) as exc:
        raise ConfigError(f"{path}: not a valid participants file ({exc})") from None
    return Participants(out)


def add_participant(ledger_dir: Path, vkey: str, roles: list[str]) -> Participant:
    """Register a participant by its vkey (named by the key) with roles, or add a key to one.

    Adding a second key to an existing participant keeps the old one, so entries it signed
    before a key rotation still verify; the roles given replace the old roles.
    """
    verifier = note.parse_vkey(vkey)
    wanted = _check_roles(roles)
    registry = load_participants(ledger_dir)
    old = registry.by_name.get(verifier.name)
    keys = old.keys if old else ()
    if verifier not in keys:
        keys = (*keys, verifier)
    participant = Participant(verifier.name, keys, wanted)
    registry.by_name[participant.name] = participant
    rows = [registry.by_name[n].to_json() for n in sorted(registry.by_name)]
    text = json.dumps({"participants": rows}, indent=2, sort_keys=True) + "\n"
    write_atomic(Path(ledger_dir) / PARTICIPANTS, text.encode())
    return participant


__all__ = [
    "EVENT_ROLES",
    "ROLES",
    "Participant",
    "Participants",
    "RoleNotAllowed",
    "UnknownParticipant",
    "add_participant",
    "load_participants",
]
