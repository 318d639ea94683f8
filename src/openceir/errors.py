"""The one exception tree: every error a user can cause is an OpenceirError.

    OpenceirError
    ├── InputError        bad file, row, field or request parameter (names which)
    │   └── InvalidIdentifier   an identifier that cannot be what it claims
    ├── ConfigError       settings, rules or region configuration that cannot be used
    ├── IntegrityError    a proof, signature or checksum that does not verify
    └── NotFound          a named thing that does not exist

The CLI prints these as one line and exits 1; the web maps them to ProblemDetails.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class OpenceirError(Exception):
    """Root of every error a user, a file or a peer can cause."""


class InputError(OpenceirError, ValueError):
    """Bad input; the message names the file, line and field, or the request parameter."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.source = source
        self.line = line
        self.field = field
        self.reason = message
        super().__init__(self._compose(message))

    def _compose(self, message: str) -> str:
        where = []
        if self.source:
            where.append(str(self.source))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field {self.field}")
        return f"{' '.join(where)}: {message}" if where else message


class InvalidIdentifier(InputError):
    """An identifier that is not valid for the kind it was given as."""


class ConfigError(OpenceirError):
    """Settings, rules or region configuration that cannot be used as given."""


class IntegrityError(OpenceirError):
    """A proof, signature, checksum or ledger state that does not verify."""


class NotFound(OpenceirError, LookupError):
    """A named thing (IMEI record, import job, run, handle) that does not exist."""


__all__ = [
    "ConfigError",
    "InputError",
    "IntegrityError",
    "InvalidIdentifier",
    "NotFound",
    "OpenceirError",
]
