"""Access: roles, principals, user accounts, sessions, OAuth2 clients and tokens.

One layer for every entry point: the portal signs people in with it, the web API and N5g-eir
issue and check machine tokens with it. It knows nothing of HTTP frameworks; `web` and `eir`
adapt it to theirs.
"""

from openceir.access.roles import ROLES, Principal
from openceir.access.tokens import (
    SCOPE,
    SCOPE_ADMIN,
    SCOPE_LISTS,
    Authority,
    Client,
    TokenError,
    bearer_challenge,
)

__all__ = [
    "ROLES",
    "SCOPE",
    "SCOPE_ADMIN",
    "SCOPE_LISTS",
    "Authority",
    "Client",
    "Principal",
    "TokenError",
    "bearer_challenge",
]
