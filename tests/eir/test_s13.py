"""S13 ME-Identity-Check against a real python-diameter client peer on 127.0.0.1."""

from __future__ import annotations

import socket
import struct
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from diameter.message import Message
from diameter.message.avp.grouped import TerminalInformation
from diameter.message.commands.capabilities_exchange import CapabilitiesExchangeRequest
from diameter.message.commands.device_watchdog import DeviceWatchdogRequest
from diameter.message.commands.disconnect_peer import DisconnectPeerRequest
from diameter.message.commands.me_identity_check import MeIdentityCheckRequest
from diameter.message.constants import APP_3GPP_S13_S13, VENDOR_TGPP
from diameter.node import Node
from diameter.node.application import SimpleThreadingApplication

from openceir.eir.check_events import CheckEventLog
from openceir.eir.diameter import codec
from openceir.eir.s13 import s13_server
from openceir.eir.service import EirPolicy, EirService
from tests.eir.conftest import PAIRED, PAIRED_IMSI, STOLEN, TRACKED, UNLISTED
from tests.eir.servers import s13_server_thread


@pytest.fixture
def s13(eir_root: Path, tmp_path: Path):
    """Factory: an S13 EIR peer on loopback; yields (port, DiameterServer, events)."""
    running = []

    def start(policy: EirPolicy | None = None):
        events = CheckEventLog(tmp_path / "lake")
        server = s13_server(EirService(eir_root, policy), events=events)
        thread, port = s13_server_thread(server, events)
        running.append(thread.__enter__())
        return port, server, events

    yield start
    for thread in running:
        thread.__exit__(None, None, None)


def _micr(session: str, imei: str | None, imsi: str | None = None) -> MeIdentityCheckRequest:
    msg = MeIdentityCheckRequest()
    msg.header.application_id = APP_3GPP_S13_S13
    msg.header.hop_by_hop_identifier = 4242
    msg.session_id = session
    msg.auth_session_state = 1
    msg.origin_host = b"mme.test.local"
    msg.origin_realm = b"test.local"
    msg.destination_realm = b"openceir.local"
    if imei is not None:
        msg.terminal_information = TerminalInformation(imei=imei, software_version="01")
    if imsi:
        msg.user_name = imsi
    return msg


def test_python_diameter_node_does_cer_micr_and_dpr(s13) -> None:
    port, server, events = s13(EirPolicy(restrictive=True, unknown="not-found"))
    node = Node("mme.test.local", "test.local", vendor_ids=[VENDOR_TGPP])
    peer = node.add_peer(
        f"aaa://eir.openceir.local:{port};transport=tcp",
        "openceir.local",
        ip_addresses=["127.0.0.1"],
        is_persistent=True,
        is_default=True,
    )
    app = SimpleThreadingApplication(APP_3GPP_S13_S13, is_auth_application=True)
    node.add_application(app, [peer])
    node.start()
    try:
        app.wait_for_ready(20)
        answers = []
        for n, (key, imsi) in enumerate(
            [
                (STOLEN, None),
                (PAIRED, PAIRED_IMSI),
                (PAIRED, "639019999999999"),
                (TRACKED, None),
                (UNLISTED, None),
            ]
        ):
            answers.append(app.send_request(_micr(f"mme;{n}", f"{key:014d}", imsi), timeout=10))
    finally:
        node.stop(wait_timeout=10)
    assert [(a.result_code, a.equipment_status) for a in answers[:4]] == [
        (2001, 1),
        (2001, 0),
        (2001, 1),
        (2001, 2),
    ]
    assert [a.session_id for a in answers] == [f"mme;{n}" for n in range(5)]
    unknown = answers[4]  # only Experimental-Result: python-diameter's own node cannot send it
    assert unknown.result_code is None and unknown.equipment_status is None
    assert (
        unknown.experimental_result.vendor_id,
        unknown.experimental_result.experimental_result_code,
    ) == (10415, 5422)
    (state,) = [p for p in server.peers if p.origin_host]  # not the readiness probe
    assert (state.origin_host, state.requests, state.disconnected) == ("mme.test.local", 5, True)
    events.flush()
    lake = events.lake_dir / "check_events"
    imsis = pq.read_table(lake).column("imsi").to_pylist()
    assert sorted(imsis) == sorted([PAIRED_IMSI, "639019999999999"])  # checks with an IMSI


class RawPeer:
    """A TCP client that sends python-diameter messages and decodes the answers."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)

    def ask(self, msg: Message) -> Message | None:
        self.sock.sendall(msg.as_bytes())
        head = self._read(20)
        if not head:
            return None
        length = struct.unpack("!I", head[:4])[0] & 0xFFFFFF
        return Message.from_bytes(head + self._read(length - 20))

    def _read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                return data
            data += chunk
        return data

    def closed(self) -> bool:
        return self.sock.recv(1) == b""


def _cer(app_id: int = APP_3GPP_S13_S13) -> CapabilitiesExchangeRequest:
    cer = CapabilitiesExchangeRequest()
    cer.origin_host = b"mme.test.local"
    cer.origin_realm = b"test.local"
    cer.host_ip_address = ["127.0.0.1"]
    cer.vendor_id = VENDOR_TGPP
    cer.product_name = "test"
    cer.auth_application_id = [app_id]
    return cer


def test_cea_dwa_and_dpa_answer_a_raw_peer(s13) -> None:
    port, server, _ = s13()
    peer = RawPeer(port)
    cea = peer.ask(_cer())
    assert cea.result_code == 2001
    assert APP_3GPP_S13_S13 in cea.auth_application_id
    assert cea.origin_host == b"eir.openceir.local"
    dwr = DeviceWatchdogRequest()
    dwr.origin_host, dwr.origin_realm = b"mme.test.local", b"test.local"
    dwa = peer.ask(dwr)
    assert (dwa.result_code, dwa.header.hop_by_hop_identifier) == (
        2001,
        dwr.header.hop_by_hop_identifier,
    )
    mica = peer.ask(_micr("s;1", f"{STOLEN:014d}1"))
    assert mica.equipment_status == 1
    dpr = DisconnectPeerRequest()
    dpr.origin_host, dpr.origin_realm, dpr.disconnect_cause = b"m", b"t", 0
    assert peer.ask(dpr).result_code == 2001
    assert peer.closed()
    assert [p.watchdogs for p in server.peers if p.origin_host] == [1]


def test_request_before_capability_exchange_is_refused_and_closed(s13) -> None:
    port, _, _ = s13()
    peer = RawPeer(port)
    answer = peer.ask(_micr("s;1", f"{STOLEN:014d}"))
    assert answer.result_code == codec.UNABLE_TO_COMPLY
    assert peer.closed()


def test_cer_without_common_application_gets_5010_and_close(s13) -> None:
    port, _, _ = s13()
    peer = RawPeer(port)
    assert peer.ask(_cer(app_id=4)).result_code == codec.NO_COMMON_APPLICATION
    assert peer.closed()


def test_micr_without_imei_or_with_bad_imei_is_an_error_answer(s13) -> None:
    port, _, _ = s13()
    peer = RawPeer(port)
    peer.ask(_cer())
    missing = peer.ask(_micr("s;1", None))
    assert missing.result_code == codec.MISSING_AVP
    assert missing.failed_avp is not None
    bad = peer.ask(_micr("s;2", "12345ABC"))
    assert bad.result_code == codec.INVALID_AVP_VALUE
    good = peer.ask(_micr("s;3", f"{UNLISTED:014d}"))
    assert (good.result_code, good.equipment_status) == (2001, 0)


def test_request_of_another_application_is_3007(s13) -> None:
    port, _, _ = s13()
    peer = RawPeer(port)
    peer.ask(_cer())
    msg = _micr("s;1", f"{STOLEN:014d}")
    msg.header.application_id = 16777251  # S6a: not served here
    answer = peer.ask(msg)
    assert (answer.result_code, answer.header.is_error) == (codec.APPLICATION_UNSUPPORTED, True)


def test_garbage_bytes_close_the_connection(s13) -> None:
    port, _, _ = s13()
    peer = RawPeer(port)
    peer.sock.sendall(b"\x02" + b"\x00" * 19)
    assert peer.closed()


def test_codec_round_trips_and_rejects_overruns() -> None:
    body = codec.utf8(codec.SESSION_ID, "a;b") + codec.u32(codec.RESULT_CODE, 2001)
    raw = codec.message(324, 16777252, 0x80, 7, 9, body)
    header = codec.decode_header(raw)
    assert (header.code, header.app_id, header.is_request, header.length) == (
        324,
        16777252,
        True,
        len(raw),
    )
    avps = codec.decode_avps(raw, 20)
    assert [(a.code, a.data) for a in avps] == [(263, b"a;b"), (268, b"\x00\x00\x07\xd1")]
    broken = bytearray(raw)
    broken[20 + 7] = 200  # Session-Id length runs past the message
    with pytest.raises(codec.CodecError):
        codec.decode_avps(bytes(broken), 20)
    with pytest.raises(codec.CodecError):
        codec.decode_header(b"\x02" + raw[1:20])
