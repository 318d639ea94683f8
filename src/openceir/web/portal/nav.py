"""The site's navigation: which pages each role sees in the menu.

A lane adding a page adds one `NavItem` here (path, label marked with `N_` for
translation, roles; `PUBLIC` for pages anyone may open). The menu shows the items a
principal's role allows, in this order.
"""

from __future__ import annotations

from dataclasses import dataclass

from openceir.access.roles import ADMIN, Principal

PUBLIC: tuple[str, ...] = ()
SIGNED_IN = ("*",)


def N_(message: str) -> str:
    """Mark a string for translation without translating it here."""
    return message


@dataclass(frozen=True)
class NavItem:
    """A menu entry: where it goes, what it says, who sees it."""

    path: str
    label: str
    roles: tuple[str, ...]

    def visible_to(self, who: Principal | None) -> bool:
        """Whether `who` (None: a visitor) sees this entry."""
        if self.roles == PUBLIC:
            return True
        if who is None:
            return False
        return self.roles == SIGNED_IN or who.has_role(*self.roles)


NAV: list[NavItem] = [
    NavItem("/", N_("Home"), PUBLIC),
    NavItem("/home", N_("My pages"), SIGNED_IN),
    NavItem("/admin/audit", N_("Audit log"), (ADMIN,)),
]

ROLE_LABELS = {
    "admin": N_("administrator"),
    "analyst": N_("analyst"),
    "operator": N_("operator staff"),
    "police": N_("police"),
    "customs": N_("customs"),
    "importer": N_("importer or manufacturer"),
}
ROLE_TEXTS = {
    "admin": N_("You run the CEIR: accounts, the audit log and every page."),
    "analyst": N_("You are regulator staff: dashboards, reports and IMEI pages."),
    "operator": N_("You work for a mobile operator: its files, lists and figures, no other's."),
    "police": N_("You are police: the lost and stolen cases of your station or region."),
    "customs": N_("You are customs: device imports and type checks."),
    "importer": N_("You import or make devices: your own registrations."),
}

PUBLIC_CHECKS: list[NavItem] = []
"""Public checks shown on the landing page (e.g. check an IMEI); lanes add theirs here."""


def menu(who: Principal | None) -> list[NavItem]:
    """The entries `who` sees (public pages, then their role's pages)."""
    return [item for item in NAV if item.visible_to(who)]


__all__ = [
    "NAV",
    "N_",
    "PUBLIC",
    "PUBLIC_CHECKS",
    "ROLE_LABELS",
    "ROLE_TEXTS",
    "SIGNED_IN",
    "NavItem",
    "menu",
]
