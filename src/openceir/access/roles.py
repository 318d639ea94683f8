"""Roles and principals: who is asking, and what their role lets them see.

A principal is a person signed in to the portal or a machine client with a token; both are
checked by the same rules. Scoped roles carry their scope: operator staff one operator id,
police one station (a nodal officer, with no station, a whole region), importers their
organisation.
"""

from __future__ import annotations

from dataclasses import dataclass

from openceir.errors import InputError

ADMIN = "admin"
ANALYST = "analyst"
OPERATOR = "operator"
POLICE = "police"
CUSTOMS = "customs"
IMPORTER = "importer"
READER = "reader"
"""A machine client with the shared lists only (no person has this role)."""

ROLES = (ADMIN, ANALYST, OPERATOR, POLICE, CUSTOMS, IMPORTER)
"""The roles a person's account can have."""

TOTP_REQUIRED = frozenset({ADMIN})
"""Roles that cannot sign in without a second factor."""

DESCRIPTIONS = {
    ADMIN: "runs the CEIR: accounts, audit log, every page",
    ANALYST: "regulator staff: dashboards, reports, IMEI pages",
    OPERATOR: "a mobile operator's staff: its own files, lists and figures",
    POLICE: "a police station (or, as nodal officer, a region): lost and stolen cases",
    CUSTOMS: "customs: device imports and type checks",
    IMPORTER: "an importer or manufacturer: its own device registrations",
}


@dataclass(frozen=True)
class Principal:
    """Who is calling: audit actor, role and scope (operator, station, region, organisation)."""

    actor: str
    role: str
    operator: str | None = None
    station: str | None = None
    region: str | None = None
    organisation: str | None = None
    user_id: int | None = None
    name: str = ""

    def has_role(self, *roles: str) -> bool:
        """Whether the role is one of `roles` (admin has every role)."""
        return self.role == ADMIN or self.role in roles

    def may_read_operator(self, operator: str) -> bool:
        """Whether this caller may read files or figures with `operator`'s subscriber data."""
        return self.role == ADMIN or (self.role == OPERATOR and self.operator == operator)

    def may_see_station(self, station: str, region: str | None = None) -> bool:
        """Whether this caller may see the cases of `station` (in `region`)."""
        if self.role == ADMIN:
            return True
        if self.role != POLICE:
            return False
        if self.station is not None:
            return self.station == station
        return self.region is not None and self.region == region


def check_scope(
    role: str,
    operator: str | None = None,
    station: str | None = None,
    region: str | None = None,
) -> None:
    """Raise InputError unless `role` exists and carries the scope it needs, and only that."""
    if role not in ROLES:
        raise InputError(f"role {role!r} is not one of {', '.join(ROLES)}", field="role")
    if role == OPERATOR and not operator:
        raise InputError("an operator account needs --operator (its operator id)", field="operator")
    if role != OPERATOR and operator:
        raise InputError(f"--operator is only for the operator role, not {role}", field="operator")
    if role == POLICE and not (station or region):
        raise InputError(
            "a police account needs --station, or --region for a nodal officer", field="station"
        )
    if role != POLICE and (station or region):
        raise InputError(f"--station and --region are only for police, not {role}", field="station")


__all__ = [
    "ADMIN",
    "ANALYST",
    "CUSTOMS",
    "DESCRIPTIONS",
    "IMPORTER",
    "OPERATOR",
    "POLICE",
    "READER",
    "ROLES",
    "TOTP_REQUIRED",
    "Principal",
    "check_scope",
]
