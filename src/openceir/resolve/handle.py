"""Handle System records: the REST API's JSON shape, pure functions only.

The Digital Object Architecture names things by handles, `prefix/suffix`, resolved to a record
of typed values. openceir answers in the shape of the Handle System's REST API (Handle.Net
Technical Manual, "HTTP JSON REST API"): `{"responseCode": 1, "handle": …, "values": [
{"index", "type", "data": {"format", "value"}, "ttl", "timestamp"}]}`, with response codes
1 (success), 100 (handle not found), 200 (no values match the filters) and 301 (prefix not
served here), so unmodified Handle clients can read CEIR identifier records.

Suffixes are `<KIND>.<identifier>` with KIND one of IMEI, TAC: `21.T99999/IMEI.352099001761481`.

>>> parse_suffix("IMEI.35-209900-176148-1")
('IMEI', '35-209900-176148-1')
>>> parse_suffix("imei.352099001761481")
('IMEI', '352099001761481')
>>> parse_suffix("352099001761481")
Traceback (most recent call last):
...
openceir.errors.InputError: field suffix: 352099001761481 is not KIND.IDENTIFIER (KIND: IMEI, TAC)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from openceir.errors import InputError

KINDS = ("IMEI", "TAC")

SUCCESS = 1
HANDLE_NOT_FOUND = 100
VALUES_NOT_FOUND = 200
PREFIX_NOT_HERE = 301

DEFAULT_TTL = 3600


@dataclass(frozen=True)
class HandleValue:
    """One typed value of a handle record; `index` is unique within the record."""

    index: int
    type: str
    value: Any
    format: str = "string"
    ttl: int = DEFAULT_TTL
    timestamp: datetime | None = None

    def to_json(self, default_time: datetime) -> dict[str, Any]:
        """The value as the Handle REST API writes it."""
        stamp = (self.timestamp or default_time).astimezone(UTC)
        return {
            "index": self.index,
            "type": self.type,
            "data": {"format": self.format, "value": self.value},
            "ttl": self.ttl,
            "timestamp": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


def parse_suffix(suffix: str) -> tuple[str, str]:
    """Split a suffix into (KIND, identifier); KIND is case-insensitive."""
    kind, sep, ident = suffix.partition(".")
    if not sep or kind.upper() not in KINDS or not ident:
        raise InputError(
            f"{suffix} is not KIND.IDENTIFIER (KIND: {', '.join(KINDS)})", field="suffix"
        )
    return kind.upper(), ident


def handle_name(prefix: str, kind: str, identifier: str) -> str:
    """The handle of an identifier record, e.g. `21.T99999/IMEI.352099001761481`."""
    return f"{prefix}/{kind}.{identifier}"


def select(
    values: Sequence[HandleValue],
    indexes: Iterable[int] = (),
    types: Iterable[str] = (),
) -> list[HandleValue]:
    """Values matching any given index or any given type (the API's `index=`/`type=` filters)."""
    wanted_index, wanted_type = set(indexes), {t.upper() for t in types}
    if not wanted_index and not wanted_type:
        return list(values)
    return [v for v in values if v.index in wanted_index or v.type.upper() in wanted_type]


def record_body(
    handle: str, values: Sequence[HandleValue], now: datetime | None = None
) -> dict[str, Any]:
    """A success body, or responseCode 200 when the filters left no value."""
    now = now or datetime.now(UTC)
    if not values:
        return {"responseCode": VALUES_NOT_FOUND, "handle": handle, "values": []}
    return {
        "responseCode": SUCCESS,
        "handle": handle,
        "values": [v.to_json(now) for v in sorted(values, key=lambda v: v.index)],
    }


def not_found_body(handle: str) -> dict[str, Any]:
    """Body for a handle that does not exist here (HTTP 404)."""
    return {"responseCode": HANDLE_NOT_FOUND, "handle": handle}


def prefix_not_here_body(handle: str) -> dict[str, Any]:
    """Body for a prefix this server does not serve (HTTP 400), as Handle servers answer."""
    return {
        "responseCode": PREFIX_NOT_HERE,
        "message": "That prefix doesn't live here",
        "handle": handle,
    }
