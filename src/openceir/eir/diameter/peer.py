"""A Diameter server peer over TCP (RFC 6733 §5): capability exchange, watchdog, disconnect.

The peer answers CER with CEA (§5.3), DWR with DWA (§5.5), DPR with DPA and then closes (§5.4),
and hands application requests of an advertised application to its handler. A request other
than CER before the capability exchange is answered with DIAMETER_UNABLE_TO_COMPLY and the
connection closed; a CER without a common application gets DIAMETER_NO_COMMON_APPLICATION.
Answers are computed synchronously in `data_received` (no task per request): the handlers are
in-memory lookups.

Back-pressure: a peer that sends requests but does not read its answers is paused (no more
reading from it) while more than `write_high_water` answer bytes wait in its transport, and
resumed below a quarter of that; its own TCP window then stops it sending. A peer with more
than `write_limit` bytes unread is dropped, with one log line. A message whose header is not
Diameter (an HTTP request sent to the port, say) closes the connection with one log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from openceir.eir.diameter import codec
from openceir.eir.diameter.codec import Avp, CodecError, Header

log = logging.getLogger(__name__)
RELAY_APPLICATION = 0xFFFFFFFF  # RFC 6733 §2.4


@dataclass
class PeerState:
    """What the server knows about one connected peer."""

    address: str
    origin_host: str = ""
    origin_realm: str = ""
    open: bool = False
    requests: int = 0
    watchdogs: int = 0
    disconnected: bool = False
    paused: int = 0  # times reading was paused for back-pressure


# handler(server, peer, header, avps) -> encoded answer message (or None: no answer)
AppHandler = Callable[["DiameterServer", PeerState, Header, list[Avp]], bytes | None]


@dataclass
class DiameterServer:
    """Server-side Diameter node: identity, applications it serves, and its handlers."""

    origin_host: str
    origin_realm: str
    handlers: dict[int, AppHandler] = field(default_factory=dict)
    vendor_id: int = 0
    product_name: str = "openceir"
    supported_vendors: tuple[int, ...] = (10415,)
    vendor_apps: dict[int, int] = field(default_factory=dict)  # app id -> vendor id
    host_ip: str = "127.0.0.1"
    origin_state_id: int = field(default_factory=lambda: int.from_bytes(os.urandom(3), "big"))
    write_high_water: int = 256 * 1024  # pause reading a peer above this many unsent bytes
    write_limit: int = 8 * 1024 * 1024  # drop a peer above this many unsent bytes
    connections: set[DiameterProtocol] = field(default_factory=set)
    peers: list[PeerState] = field(default_factory=list)  # every peer ever connected

    def identity_avps(self) -> bytes:
        """Origin-Host and Origin-Realm, carried by every answer."""
        return codec.utf8(codec.ORIGIN_HOST, self.origin_host) + codec.utf8(
            codec.ORIGIN_REALM, self.origin_realm
        )

    def answer(self, header: Header, body: bytes, error: bool = False) -> bytes:
        """An answer to `header` (same command, application and ids; R cleared)."""
        flags = (header.flags & codec.FLAG_PROXIABLE) | (codec.FLAG_ERROR if error else 0)
        return codec.message(
            header.code, header.app_id, flags, header.hop_by_hop, header.end_to_end, body
        )

    def result(self, header: Header, result_code: int, extra: bytes = b"") -> bytes:
        """An answer carrying only Result-Code, identity and `extra` AVPs."""
        return self.answer(
            header,
            codec.u32(codec.RESULT_CODE, result_code) + self.identity_avps() + extra,
            error=3000 <= result_code < 4000,
        )

    def capabilities_answer(
        self, header: Header, avps: list[Avp], peer: PeerState
    ) -> tuple[bytes, bool]:
        """The CEA for a CER, and whether the connection opens (a common application)."""
        offered: set[int] = set()
        for item in avps:
            if item.code == codec.AUTH_APPLICATION_ID:
                offered.add(codec.as_u32(item.data))
            elif item.code == codec.VENDOR_SPECIFIC_APPLICATION_ID:
                for inner in codec.decode_avps(item.data):
                    if inner.code == codec.AUTH_APPLICATION_ID:
                        offered.add(codec.as_u32(inner.data))
        host = codec.find(avps, codec.ORIGIN_HOST)
        realm = codec.find(avps, codec.ORIGIN_REALM)
        peer.origin_host = host.data.decode(errors="replace") if host else ""
        peer.origin_realm = realm.data.decode(errors="replace") if realm else ""
        common = offered & set(self.handlers) or (
            set(self.handlers) if RELAY_APPLICATION in offered else set()
        )
        code = codec.SUCCESS if common else codec.NO_COMMON_APPLICATION
        body = (
            codec.u32(codec.RESULT_CODE, code)
            + self.identity_avps()
            + codec.address(codec.HOST_IP_ADDRESS, self.host_ip)
            + codec.u32(codec.VENDOR_ID, self.vendor_id)
            + codec.utf8(codec.PRODUCT_NAME, self.product_name, mandatory=False)
            + codec.u32(codec.ORIGIN_STATE_ID, self.origin_state_id)
        )
        for vendor in self.supported_vendors:
            body += codec.u32(codec.SUPPORTED_VENDOR_ID, vendor)
        for app_id in sorted(self.handlers):
            body += codec.u32(codec.AUTH_APPLICATION_ID, app_id)
            if app_id in self.vendor_apps:
                body += codec.avp(
                    codec.VENDOR_SPECIFIC_APPLICATION_ID,
                    codec.u32(codec.VENDOR_ID, self.vendor_apps[app_id])
                    + codec.u32(codec.AUTH_APPLICATION_ID, app_id),
                )
        return self.answer(header, body), bool(common)

    def protocol(self) -> DiameterProtocol:
        """A protocol instance for one accepted connection."""
        return DiameterProtocol(self)

    async def start(self, host: str, port: int) -> asyncio.Server:
        """Listen on host:port (port 0 picks one); the caller owns the returned server."""
        loop = asyncio.get_running_loop()
        return await loop.create_server(self.protocol, host, port, reuse_address=True)


class DiameterProtocol(asyncio.Protocol):
    """One peer connection: frames messages and dispatches them."""

    def __init__(self, server: DiameterServer) -> None:
        self.server = server
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.peer = PeerState(address="")

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  (uvloop's is no subclass)
        name = transport.get_extra_info("peername")
        self.peer.address = f"{name[0]}:{name[1]}" if name else "?"
        self.server.connections.add(self)
        self.server.peers.append(self.peer)
        del self.server.peers[:-1000]  # bounded: the last thousand connections
        high = self.server.write_high_water
        transport.set_write_buffer_limits(high=high, low=high // 4)  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)

    def pause_writing(self) -> None:
        """The transport holds more than the high-water mark: stop reading this peer."""
        self.peer.paused += 1
        if self.transport and not self.transport.is_closing():
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        """The transport drained below the low-water mark: read this peer again."""
        if self.transport and not self.transport.is_closing():
            self.transport.resume_reading()

    def _write(self, data: bytes) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        transport.write(data)
        unread = transport.get_write_buffer_size()
        if unread > self.server.write_limit:
            log.warning(
                "dropping Diameter peer %s: %d answer bytes unread (limit %d KiB)",
                self.peer.address,
                unread,
                self.server.write_limit // 1024,
            )
            transport.abort()
            self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        buf = self.buffer
        buf += data
        out = []
        pos = 0
        try:
            while len(buf) - pos >= codec.HEADER_SIZE:
                header = codec.decode_header(bytes(buf[pos : pos + codec.HEADER_SIZE]))
                if len(buf) - pos < header.length:
                    break
                avps = codec.decode_avps(buf, pos + codec.HEADER_SIZE, pos + header.length)
                pos += header.length
                reply, close = self.dispatch(header, avps)
                if reply:
                    out.append(reply)
                if close:
                    self._send_and_close(out)
                    return
        except CodecError as exc:
            reason = str(exc)
        else:
            del buf[:pos]
            if out:
                self._write(b"".join(out))
            return
        # Outside the handler: its traceback holds a view of the buffer until then.
        log.warning("closing Diameter peer %s: %s", self.peer.address, reason)
        self._send_and_close(out)

    def _send_and_close(self, out: list[bytes]) -> None:
        if out:
            self._write(b"".join(out))
        if self.transport:
            self.transport.close()
        self.buffer = bytearray()  # rebind, never resize: a view may still be exported

    def dispatch(self, header: Header, avps: list[Avp]) -> tuple[bytes | None, bool]:
        """(answer or None, close afterwards) for one message."""
        server = self.server
        if not header.is_request:
            return None, False  # answers to our DWRs: we send none, so ignore
        code = header.code
        if code == codec.CAPABILITIES_EXCHANGE:
            reply, opened = server.capabilities_answer(header, avps, self.peer)
            self.peer.open = opened
            return reply, not opened
        if not self.peer.open:
            return server.result(header, codec.UNABLE_TO_COMPLY), True
        if code == codec.DEVICE_WATCHDOG:
            self.peer.watchdogs += 1
            return server.result(
                header, codec.SUCCESS, codec.u32(codec.ORIGIN_STATE_ID, server.origin_state_id)
            ), False
        if code == codec.DISCONNECT_PEER:
            self.peer.disconnected = True
            return server.result(header, codec.SUCCESS), True
        handler = server.handlers.get(header.app_id)
        if handler is None:
            return server.result(header, codec.APPLICATION_UNSUPPORTED), False
        self.peer.requests += 1
        try:
            return handler(server, self.peer, header, avps), False
        except CodecError:
            return server.result(header, codec.INVALID_AVP_VALUE), False

    def close(self) -> None:
        """Close this connection."""
        if self.transport:
            with contextlib.suppress(Exception):
                self.transport.close()


__all__ = ["RELAY_APPLICATION", "AppHandler", "DiameterProtocol", "DiameterServer", "PeerState"]
