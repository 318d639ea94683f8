"""Diameter S13 ME-Identity-Check (3GPP TS 29.272 §5.3.2, §7.2.19-7.2.20) for the EIR.

MICR (command 324, application 16777252, vendor 10415) carries Terminal-Information (1401)
with IMEI (1402) and Software-Version (1403), optionally User-Name (1, the IMSI) for pair
exceptions. The MICA carries Result-Code DIAMETER_SUCCESS and Equipment-Status (1445:
0 PERMITTED_LISTED, 1 PROHIBITED_LISTED, 2 TRACKING_LISTED), or, for unregistered equipment in
restrictive mode configured as not-found, Experimental-Result (297) with Vendor-Id 10415 and
DIAMETER_ERROR_EQUIPMENT_UNKNOWN (5422) and no Equipment-Status (TS 29.272 §7.4.3.2).
"""

from __future__ import annotations

import asyncio
import time

from openceir.eir.check_events import CheckEventLog
from openceir.eir.diameter import codec
from openceir.eir.diameter.codec import Avp, Header
from openceir.eir.diameter.peer import DiameterServer, PeerState
from openceir.eir.metrics import Metrics
from openceir.eir.service import EirService
from openceir.eir.snapshot.format import BLACKLISTED, GREYLISTED, STATUS_NAMES, UNKNOWN, WHITELISTED
from openceir.identifiers.imsi import is_well_formed as imsi_form

S13_APPLICATION = 16777252
ME_IDENTITY_CHECK = 324
VENDOR_3GPP = 10415
TERMINAL_INFORMATION = 1401
IMEI = 1402
SOFTWARE_VERSION = 1403
EQUIPMENT_STATUS = 1445
MEID_3GPP2 = 1471
ERROR_EQUIPMENT_UNKNOWN = 5422
NO_STATE_MAINTAINED = 1

# Our status codes -> Equipment-Status (TS 29.272 §7.3.51).
EQUIPMENT_STATUS_CODE = {WHITELISTED: 0, BLACKLISTED: 1, GREYLISTED: 2}


def _failed(code: int, vendor: int = 0) -> bytes:
    """Failed-AVP naming a missing AVP (RFC 6733 §7.5: the AVP with minimal data)."""
    return codec.avp(codec.FAILED_AVP, codec.avp(code, b"", vendor))


class S13Handler:
    """Answers MICRs from an EirService; counts metrics and records check events."""

    def __init__(
        self,
        service: EirService,
        *,
        events: CheckEventLog | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.service = service
        self.events = events
        self.metrics = metrics or Metrics()
        self._app = codec.avp(
            codec.VENDOR_SPECIFIC_APPLICATION_ID,
            codec.u32(codec.VENDOR_ID, VENDOR_3GPP)
            + codec.u32(codec.AUTH_APPLICATION_ID, S13_APPLICATION),
        ) + codec.u32(codec.AUTH_SESSION_STATE, NO_STATE_MAINTAINED)

    def __call__(
        self, server: DiameterServer, peer: PeerState, header: Header, avps: list[Avp]
    ) -> bytes:
        started = time.perf_counter()
        if header.code != ME_IDENTITY_CHECK:
            return server.result(header, codec.COMMAND_UNSUPPORTED)
        self.service.maybe_reload()
        session = codec.find(avps, codec.SESSION_ID)
        head = codec.utf8(codec.SESSION_ID, session.data) if session else b""
        terminal = codec.find(avps, TERMINAL_INFORMATION, VENDOR_3GPP)
        if session is None or terminal is None:
            missing = codec.SESSION_ID if session is None else TERMINAL_INFORMATION
            vendor = 0 if session is None else VENDOR_3GPP
            return self._error(
                server, header, head, codec.MISSING_AVP, _failed(missing, vendor), started
            )
        inner = codec.decode_avps(terminal.data)
        imei_avp = codec.find(inner, IMEI, VENDOR_3GPP)
        key: int | None = None
        imei_text = ""
        if imei_avp is not None:
            imei_text = imei_avp.data.decode("ascii", errors="replace")
            if not (14 <= len(imei_text) <= 16 and imei_text.isdigit()):
                return self._error(
                    server,
                    header,
                    head,
                    codec.INVALID_AVP_VALUE,
                    codec.avp(codec.FAILED_AVP, codec.avp(IMEI, imei_avp.data, VENDOR_3GPP)),
                    started,
                )
            key = int(imei_text[:14])
        elif codec.find(inner, MEID_3GPP2, VENDOR_3GPP) is None:
            return self._error(
                server, header, head, codec.MISSING_AVP, _failed(IMEI, VENDOR_3GPP), started
            )
        user = codec.find(avps, codec.USER_NAME)
        imsi = user.data.decode("ascii", errors="replace") if user else None
        if imsi is not None and not imsi_form(imsi):
            imsi = None  # a User-Name that is not an IMSI cannot match an exception pair
        status, _reason, _snap = self.service.check(key, imsi)
        if (
            self.events is not None
            and imsi
            and self.events.record(
                when=time.time(),
                source=peer.origin_host or None,
                interface="s13",
                imei_key=key,
                pei=imei_text,
                imsi=imsi,
                msisdn=None,
                status=STATUS_NAMES[status],
            )
        ):
            self.metrics.duplicates += 1
        if status == UNKNOWN:
            body = (
                head
                + self._app
                + codec.avp(
                    codec.EXPERIMENTAL_RESULT,
                    codec.u32(codec.VENDOR_ID, VENDOR_3GPP)
                    + codec.u32(codec.EXPERIMENTAL_RESULT_CODE, ERROR_EQUIPMENT_UNKNOWN),
                )
                + server.identity_avps()
            )
            self.metrics.observe("s13", "UNKNOWN", time.perf_counter() - started)
            return server.answer(header, body)
        body = (
            head
            + self._app
            + codec.u32(codec.RESULT_CODE, codec.SUCCESS)
            + server.identity_avps()
            + codec.u32(EQUIPMENT_STATUS, EQUIPMENT_STATUS_CODE[status], VENDOR_3GPP)
        )
        self.metrics.observe("s13", STATUS_NAMES[status], time.perf_counter() - started)
        return server.answer(header, body)

    def _error(
        self,
        server: DiameterServer,
        header: Header,
        head: bytes,
        code: int,
        extra: bytes,
        started: float,
    ) -> bytes:
        self.metrics.observe("s13", str(code), time.perf_counter() - started)
        return server.answer(
            header,
            head + self._app + codec.u32(codec.RESULT_CODE, code) + server.identity_avps() + extra,
        )


def s13_server(
    service: EirService,
    *,
    origin_host: str = "eir.openceir.local",
    origin_realm: str = "openceir.local",
    events: CheckEventLog | None = None,
    metrics: Metrics | None = None,
    host_ip: str = "127.0.0.1",
) -> DiameterServer:
    """A DiameterServer serving S13 from `service`."""
    handler = S13Handler(service, events=events, metrics=metrics)
    return DiameterServer(
        origin_host,
        origin_realm,
        handlers={S13_APPLICATION: handler},
        vendor_apps={S13_APPLICATION: VENDOR_3GPP},
        host_ip=host_ip,
    )


async def run_s13(
    server: DiameterServer,
    host: str,
    port: int,
    events: CheckEventLog | None = None,
    flush_interval: float = 5.0,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve S13 until `stop` is set (or forever), flushing check events periodically."""
    listener = await server.start(host, port)
    stop = stop or asyncio.Event()
    try:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), flush_interval)
            except TimeoutError:
                pass
            if events is not None and events.pending:
                await asyncio.get_running_loop().run_in_executor(None, events.flush)
    finally:
        listener.close()
        for conn in list(server.connections):
            conn.close()
        await listener.wait_closed()
        if events is not None:
            events.flush()


__all__ = ["S13_APPLICATION", "S13Handler", "run_s13", "s13_server"]
