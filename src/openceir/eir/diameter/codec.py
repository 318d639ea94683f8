"""Diameter message and AVP codec (RFC 6733 §3 header, §4 AVPs) for the few AVPs S13 needs.

Header: version (1), length (3), flags (1: R request, P proxiable, E error, T retransmit),
command code (3), Application-Id (4), Hop-by-Hop (4), End-to-End (4). AVP: code (4), flags
(1: V vendor, M mandatory), length (3, without padding), Vendor-Id (4, when V), data padded to
a multiple of 4. Strict parse: a length that runs past its container is an error.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

# RFC 6733 §4.5 base AVP codes.
USER_NAME = 1
HOST_IP_ADDRESS = 257
AUTH_APPLICATION_ID = 258
ACCT_APPLICATION_ID = 259
VENDOR_SPECIFIC_APPLICATION_ID = 260
SESSION_ID = 263
ORIGIN_HOST = 264
SUPPORTED_VENDOR_ID = 265
VENDOR_ID = 266
FIRMWARE_REVISION = 267
RESULT_CODE = 268
PRODUCT_NAME = 269
DISCONNECT_CAUSE = 273
AUTH_SESSION_STATE = 277
ORIGIN_STATE_ID = 278
FAILED_AVP = 279
ERROR_MESSAGE = 281
DESTINATION_REALM = 283
DESTINATION_HOST = 293
ORIGIN_REALM = 296
EXPERIMENTAL_RESULT = 297
EXPERIMENTAL_RESULT_CODE = 298

# RFC 6733 §3.1 command codes.
CAPABILITIES_EXCHANGE = 257
DEVICE_WATCHDOG = 280
DISCONNECT_PEER = 282

# RFC 6733 §7.1 result codes.
SUCCESS = 2001
COMMAND_UNSUPPORTED = 3001
APPLICATION_UNSUPPORTED = 3007
INVALID_AVP_VALUE = 5004
MISSING_AVP = 5005
NO_COMMON_APPLICATION = 5010
UNABLE_TO_COMPLY = 5012

FLAG_REQUEST, FLAG_PROXIABLE, FLAG_ERROR = 0x80, 0x40, 0x20
AVP_VENDOR, AVP_MANDATORY = 0x80, 0x40
HEADER_SIZE = 20
MAX_MESSAGE = 1 << 20  # refuse anything larger: an EIR never needs it

_HEADER = struct.Struct("!I I I I I")


class CodecError(ValueError):
    """Bytes that are not a well-formed Diameter message or AVP."""


class Header(NamedTuple):
    """A decoded Diameter header."""

    length: int
    flags: int
    code: int
    app_id: int
    hop_by_hop: int
    end_to_end: int

    @property
    def is_request(self) -> bool:
        """Whether the R bit is set."""
        return bool(self.flags & FLAG_REQUEST)


class Avp(NamedTuple):
    """A decoded AVP: code, vendor (0 for none), flags and raw data (without padding)."""

    code: int
    vendor: int
    flags: int
    data: bytes


def decode_header(buf: bytes | memoryview) -> Header:
    """Decode the 20-byte header; CodecError on a wrong version or impossible length."""
    if len(buf) < HEADER_SIZE:
        raise CodecError("short Diameter header")
    w0, w1, app_id, hbh, e2e = _HEADER.unpack_from(buf, 0)
    if w0 >> 24 != 1:
        raise CodecError(f"Diameter version {w0 >> 24}, expected 1")
    length = w0 & 0xFFFFFF
    if length < HEADER_SIZE or length % 4 or length > MAX_MESSAGE:
        raise CodecError(f"Diameter message length {length} is impossible")
    return Header(length, w1 >> 24, w1 & 0xFFFFFF, app_id, hbh, e2e)


def decode_avps(buf: bytes | memoryview, start: int = 0, end: int | None = None) -> list[Avp]:
    """The AVPs in buf[start:end] in order; CodecError when one overruns its container."""
    end = len(buf) if end is None else end
    out = []
    pos = start
    while pos < end:
        if end - pos < 8:
            raise CodecError("truncated AVP header")
        code, word = struct.unpack_from("!II", buf, pos)
        flags, length = word >> 24, word & 0xFFFFFF
        head = 12 if flags & AVP_VENDOR else 8
        if length < head or pos + length > end:
            raise CodecError(f"AVP {code} length {length} overruns its container")
        vendor = struct.unpack_from("!I", buf, pos + 8)[0] if flags & AVP_VENDOR else 0
        out.append(Avp(code, vendor, flags, bytes(buf[pos + head : pos + length])))
        pos += (length + 3) & ~3
    return out


def avp(code: int, data: bytes, vendor: int = 0, mandatory: bool = True) -> bytes:
    """Encode one AVP with padding (the V bit follows `vendor`)."""
    flags = (AVP_MANDATORY if mandatory else 0) | (AVP_VENDOR if vendor else 0)
    head = 12 if vendor else 8
    length = head + len(data)
    out = struct.pack("!II", code, (flags << 24) | length)
    if vendor:
        out += struct.pack("!I", vendor)
    return out + data + b"\0" * (-length % 4)


def u32(code: int, value: int, vendor: int = 0, mandatory: bool = True) -> bytes:
    """An Unsigned32 / Integer32 / Enumerated AVP."""
    return avp(code, struct.pack("!I", value), vendor, mandatory)


def utf8(code: int, value: str | bytes, vendor: int = 0, mandatory: bool = True) -> bytes:
    """A UTF8String / DiameterIdentity / OctetString AVP."""
    return avp(code, value.encode() if isinstance(value, str) else value, vendor, mandatory)


def address(code: int, ip: str) -> bytes:
    """An Address AVP (RFC 6733 §4.3.1): address family 1 (IPv4) or 2 (IPv6) then the bytes."""
    import ipaddress

    parsed = ipaddress.ip_address(ip)
    family = 1 if parsed.version == 4 else 2
    return avp(code, struct.pack("!H", family) + parsed.packed)


def as_u32(data: bytes) -> int:
    """Decode an Unsigned32 AVP value; CodecError when it is not 4 bytes."""
    if len(data) != 4:
        raise CodecError(f"Unsigned32 AVP of {len(data)} bytes")
    return struct.unpack("!I", data)[0]


def message(
    code: int, app_id: int, flags: int, hop_by_hop: int, end_to_end: int, body: bytes
) -> bytes:
    """Encode a whole message from its header fields and already-encoded AVPs."""
    length = HEADER_SIZE + len(body)
    return (
        _HEADER.pack((1 << 24) | length, (flags << 24) | code, app_id, hop_by_hop, end_to_end)
        + body
    )


def find(avps: list[Avp], code: int, vendor: int = 0) -> Avp | None:
    """The first AVP with this code and vendor, or None."""
    for item in avps:
        if item.code == code and item.vendor == vendor:
            return item
    return None


__all__ = [
    "Avp",
    "CodecError",
    "Header",
    "address",
    "as_u32",
    "avp",
    "decode_avps",
    "decode_header",
    "find",
    "message",
    "u32",
    "utf8",
]
