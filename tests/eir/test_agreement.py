"""Issue #5's done-when: an operator downloads a signed delta, verifies it, and its EIR's
real-time checks over N5g-eir (HTTP/1.1 and h2c) and S13 agree with the lists on every case.

Hand-built classification state -> full run 1 -> state change -> run 2 with deltas against
run 1. The operator gets only what it may download (shared lists, its own notifications and
exceptions), and of run 2 only the manifest and the deltas; it verifies them with the real
`openceir lists verify --partial`, rebuilds run 2's full lists from run 1's (`lists apply`,
which checks each rebuilt file against its signed SHA-256), builds its snapshot from those
files alone, and serves it for real on 127.0.0.1. Every IMEI in either run's lists, plus
unlisted, barred-TAC, tracked, exception-pair (with and without the paired IMSI), grace-period
and restrictive-mode-unregistered cases, is checked over both interfaces against the decision
computed here directly from the list rows (architecture §5).
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from diameter.message import Message
from diameter.message.avp.grouped import TerminalInformation
from diameter.message.commands.capabilities_exchange import CapabilitiesExchangeRequest
from diameter.message.commands.me_identity_check import MeIdentityCheckRequest
from diameter.message.constants import APP_3GPP_S13_S13, VENDOR_TGPP

from openceir.classify.state import CURRENT_SCHEMA
from openceir.eir.list_files import snapshot_from_files
from openceir.eir.n5g import PATH, N5gEirApp
from openceir.eir.s13 import s13_server
from openceir.eir.service import EirPolicy, EirService
from openceir.identifiers import luhn
from openceir.lists.apply import apply_delta
from openceir.lists.inputs import TRIPLET_SCHEMA
from openceir.lists.keys import init_key, load_signer, load_verifier
from openceir.lists.run import RunInputs, operator_files, write_run
from tests.eir.servers import LoopThread, free_port, hypercorn_server, s13_server_thread

TODAY = datetime.now(UTC).date()  # the EIR decides on today's date, so the lists do too
PAST, SOON = TODAY - timedelta(days=30), TODAY + timedelta(days=10)
OPS = ["alpha", "beta"]
HOME = {"alpha": "63901", "beta": "63902"}

STOLEN = 35693803564380  # blocked; unblocked (recovered) in run 2
BLOCKED = 35693803564381  # blocked in both runs
NEW_BLOCK = 35693803564382  # blocked in run 2 only
GRACE_A = 35693803564383  # grace period, seen with an alpha SIM
GRACE_B = 35693803564384  # grace period, seen with a beta SIM and a roamer
GRACE_PAIRED = 35693803564385  # grace period; its alpha SIM is on the pairing list
PAIRED = 35693803564386  # blocked, paired with an alpha SIM and a never-seen foreign SIM
CLONE = 35693803564387  # blocked clone; the genuine owner's beta SIM stays allowed
EXEMPT = 35693803564388  # blocked but golden: never listed, registered
TRACKED = 35693803564389  # monitoring list in run 1 only
TRACKED_2 = 35693803564390  # monitoring list in run 2 only
TRACKED_EXEMPT = 35693803564391  # monitoring but golden: never tracked
REGISTERED = 35693803564392  # registration list
REGISTERED_2 = 35693803564393  # registered in run 2 only
BARRED_1 = 86000001123456  # TAC barred in run 1 only
BARRED_2 = 86000002123456  # TAC barred in run 2 only
BARRED_PAIRED = 86000002999999  # barred TAC, blocked, paired with an alpha SIM
BARRED_EXEMPT = 86000002555555  # golden IMEI of the TAC barred in run 2: never blocked
UNLISTED = 35693803564300

ALPHA_SIM, ALPHA_SIM_2, BETA_SIM = "639010000000001", "639010000000002", "639020000000003"
ROAMER, FOREIGN, OTHER = "234100000000004", "310260000000005", "639019999999999"


def _state(run: int) -> pa.Table:
    def row(key, condition, block, *, reason=None, clones=None, genuine=None, raw=None):
        return {
            "imei_key": key,
            "imei_raw": raw,
            "condition": condition,
            "start_date": PAST - timedelta(days=10),
            "block_date": block,
            "blocking": True,
            "reasons": [reason or condition],
            "evidence": "{}",
            "clone_imsis": clones,
            "genuine_imsis": genuine,
        }

    rows = [
        row(BLOCKED, "stolen", PAST, reason="Reported stolen"),
        row(BLOCKED, "not_registered", PAST + timedelta(days=3), reason="Not registered"),
        row(GRACE_A, "duplicate", SOON, reason="Duplicated IMEI"),
        row(GRACE_B, "not_registered", SOON + timedelta(days=5), reason="Not registered"),
        row(GRACE_PAIRED, "duplicate", SOON),
        row(PAIRED, "stolen", PAST),
        row(CLONE, "duplicate", PAST, clones=[ALPHA_SIM_2], genuine=[BETA_SIM]),
        row(EXEMPT, "stolen", PAST),
        row(BARRED_PAIRED, "barred_tac", PAST, reason="Barred TAC"),
        row(None, "malformed", PAST, reason="Malformed IMEI", raw="35693803X64399"),
    ]
    if run == 1:
        rows.append(row(STOLEN, "stolen", PAST, reason="Reported stolen"))
    else:
        rows.append(row(NEW_BLOCK, "stolen", TODAY, reason="Reported stolen"))
    return pa.Table.from_pylist(rows, schema=CURRENT_SCHEMA)


def _keyed(keys: list[int]) -> pa.Table:
    return pa.table(
        {
            "imei_key": pa.array(keys, pa.int64()),
            "imei_raw": pa.array([None] * len(keys), pa.string()),
        }
    )


def _inputs(run: int) -> RunInputs:
    seen = [
        ("alpha", GRACE_A, ALPHA_SIM),
        ("alpha", GRACE_B, BETA_SIM),  # beta's SIM seen on alpha: beta is notified
        ("alpha", GRACE_B, ROAMER),  # a roamer: every operator where seen
        ("beta", GRACE_B, ROAMER),
        ("alpha", GRACE_PAIRED, ALPHA_SIM),
        ("alpha", CLONE, ALPHA_SIM_2),
        ("beta", CLONE, BETA_SIM),
        ("alpha", BLOCKED, ALPHA_SIM),
    ]
    triplets = pa.Table.from_pylist(
        [
            {
                "operator": op,
                "imei_key": key,
                "imei_raw": None,
                "imsi": imsi,
                "msisdn": "2547" + imsi[-8:],
                "last_seen": TODAY - timedelta(days=1),
            }
            for op, key, imsi in seen
        ],
        schema=TRIPLET_SCHEMA,
    )
    pairs = [(GRACE_PAIRED, ALPHA_SIM), (BARRED_PAIRED, ALPHA_SIM), (PAIRED, FOREIGN)]
    if run == 1:
        pairs.append((PAIRED, ALPHA_SIM))  # removed in run 2
    pairing = pa.table(
        {
            "imei_key": pa.array([k for k, _ in pairs], pa.int64()),
            "imei_raw": pa.array([None] * len(pairs), pa.string()),
            "imsi": pa.array([i for _, i in pairs], pa.string()),
        }
    )
    return RunInputs(
        state=_state(run),
        triplets=triplets,
        pairing=pairing,
        exempt=_keyed([EXEMPT, TRACKED_EXEMPT, BARRED_EXEMPT]),
        home=pa.table({"operator": OPS, "prefix": [HOME[o] for o in OPS]}),
        operators=OPS,
        barred_tacs=pa.table({"tac": ["86000001" if run == 1 else "86000002"]}),
        monitoring=_keyed([TRACKED if run == 1 else TRACKED_2, TRACKED_EXEMPT]),
        registration=_keyed([REGISTERED, BLOCKED] + ([REGISTERED_2] if run == 2 else [])),
    )


# ------------------------------------------------------------------ the lists, read as rows


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in ("imei", "imsi", "tac", "block_date")}
        ),
    )
    return table.to_pylist()


@dataclass
class Lists:
    """One operator's view of a run, straight from the CSV rows (no openceir code involved)."""

    dated: dict[int, date]  # blacklist and notification rows: the earliest block date
    pairs: set[tuple[int, str]]
    tacs: set[str]
    tracked: set[int]
    registered: set[int]
    exempt: set[int]

    @classmethod
    def read(cls, run_dir: Path, operator: str) -> Lists:
        def key(imei: str) -> int | None:
            return int(imei[:14]) if imei[:14].isdigit() and len(imei) >= 14 else None

        dated: dict[int, date] = {}
        for name in ("blacklist.csv", f"notifications_{operator}.csv"):
            for r in _rows(run_dir / name):
                k = key(r["imei"])
                if k is not None:
                    when = date.fromisoformat(r["block_date"])
                    dated[k] = min(when, dated.get(k, when))
        return cls(
            dated=dated,
            pairs={
                (key(r["imei"]), r["imsi"]) for r in _rows(run_dir / f"exceptions_{operator}.csv")
            },
            tacs={r["tac"] for r in _rows(run_dir / "barred_tacs.csv")},
            tracked={key(r["imei"]) for r in _rows(run_dir / "tracked.csv")},
            registered={key(r["imei"]) for r in _rows(run_dir / "registered.csv")},
            exempt={key(r["imei"]) for r in _rows(run_dir / "exempt.csv")},
        )

    def decide(self, key: int, imsi: str | None, restrictive: bool) -> str:
        """architecture §5: BLACKLISTED if blocked (block date reached, or a barred TAC) and the
        pair is not an exception; GREYLISTED in the grace period or tracked; else WHITELISTED; in
        restrictive mode unregistered equipment is UNKNOWN (404 / 5422 as configured here)."""
        excepted = imsi is not None and (key, imsi) in self.pairs
        if key in self.dated:
            if self.dated[key] > TODAY:
                return "GREYLISTED"
            if not excepted:
                return "BLACKLISTED"
        if f"{key:014d}"[:8] in self.tacs and not excepted and key not in self.exempt:
            return "BLACKLISTED"
        if key in self.tracked:
            return "GREYLISTED"
        if restrictive and key not in self.registered:
            return "UNKNOWN"
        return "WHITELISTED"


# ------------------------------------------------------------------ the real servers


class S13Client:
    """A Diameter client peer over TCP: CER once, then MICRs; answers decoded by python-diameter."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        cer = CapabilitiesExchangeRequest()
        cer.origin_host, cer.origin_realm = b"mme.alpha.test", b"alpha.test"
        cer.host_ip_address = ["127.0.0.1"]
        cer.vendor_id = VENDOR_TGPP
        cer.product_name = "agreement"
        cer.auth_application_id = [APP_3GPP_S13_S13]
        assert self._ask(cer).result_code == 2001
        self.n = 0

    def _ask(self, msg: Message) -> Message:
        self.sock.sendall(msg.as_bytes())
        head = self._read(20)
        length = struct.unpack("!I", head[:4])[0] & 0xFFFFFF
        return Message.from_bytes(head + self._read(length - 20))

    def _read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            assert chunk, "the S13 peer closed the connection"
            data += chunk
        return data

    def status(self, imei: str, imsi: str | None) -> str:
        self.n += 1
        msg = MeIdentityCheckRequest()
        msg.header.application_id = APP_3GPP_S13_S13
        msg.header.hop_by_hop_identifier = self.n
        msg.session_id = f"mme.alpha.test;{self.n}"
        msg.auth_session_state = 1
        msg.origin_host, msg.origin_realm = b"mme.alpha.test", b"alpha.test"
        msg.destination_realm = b"openceir.local"
        msg.terminal_information = TerminalInformation(imei=imei, software_version="01")
        if imsi:
            msg.user_name = imsi
        answer = self._ask(msg)
        if answer.result_code is None:
            result = answer.experimental_result
            assert (result.vendor_id, result.experimental_result_code) == (10415, 5422)
            return "UNKNOWN"
        assert answer.result_code == 2001
        return {0: "WHITELISTED", 1: "BLACKLISTED", 2: "GREYLISTED"}[answer.equipment_status]

    def close(self) -> None:
        self.sock.close()


def _s13(service: EirService) -> tuple[LoopThread, int]:
    return s13_server_thread(s13_server(service))


def _n5g_status(client: httpx.Client, base: str, pei: str, imsi: str | None) -> str:
    params = {"pei": pei}
    if imsi:
        params["supi"] = f"imsi-{imsi}"
    response = client.get(base + PATH, params=params)
    if response.status_code == 404:
        body = response.json()
        assert body["cause"] == "ERROR_EQUIPMENT_UNKNOWN", body
        assert response.headers["content-type"].startswith("application/problem+json")
        return "UNKNOWN"
    assert response.status_code == 200, response.text
    return response.json()["status"]


def _pei(key: int, n: int) -> tuple[str, str]:
    """(N5g-eir PEI, S13 IMEI) in a form that varies with n: spare 0, Luhn digit, IMEISV."""
    body = f"{key:014d}"
    if n % 3 == 0:
        return f"imei-{body}0", body
    if n % 3 == 1:
        full = body + luhn.calc_check_digit(body)
        return f"imei-{full}", full
    return f"imeisv-{body}07", body + "07"


# ------------------------------------------------------------------ the scenario


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCEIR_")}
    env["COLUMNS"] = "300"
    return subprocess.run(
        [sys.executable, "-m", "openceir", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _download(run_dir: Path, to: Path, operator: str, *, deltas_only: bool) -> Path:
    """What an operator may fetch of a run: the manifest plus its files (or their deltas)."""
    allowed = operator_files(operator)
    to.mkdir(parents=True)
    shutil.copyfile(run_dir / "manifest.note", to / "manifest.note")
    for path in run_dir.iterdir():
        wanted = path.name.endswith("_delta.csv") if deltas_only else path.suffix == ".csv"
        if path.name in allowed and wanted:
            shutil.copyfile(path, to / path.name)
    return to


@pytest.fixture(scope="module")
def ceir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The CEIR's two runs: (data dir, run 1, run 2 with deltas against run 1)."""
    data = tmp_path_factory.mktemp("ceir")
    init_key(data)
    signer = load_signer(data)
    first = write_run(data, _inputs(1), signer, as_of=TODAY, run_id="20261128T000000Z")
    second = write_run(
        data, _inputs(2), signer, as_of=TODAY, run_id="20261129T000000Z", base=first.path.name
    )
    return data, first.path, second.path


def test_run_two_deltas_say_what_changed(ceir) -> None:
    _, _, second = ceir
    changes = {
        name: {(r.get("imei") or r.get("tac"), r.get("imsi"), r["change_type"]) for r in rows}
        for name in (
            "blacklist",
            "barred_tacs",
            "tracked",
            "registered",
            "exempt",
            "exceptions_alpha",
        )
        if (rows := _rows(second / f"{name}_delta.csv"))
    }
    assert changes["blacklist"] == {
        (f"{STOLEN:014d}", None, "unblocked"),
        (f"{NEW_BLOCK:014d}", None, "blocked"),
    }
    assert changes["barred_tacs"] == {("86000001", None, "removed"), ("86000002", None, "added")}
    assert changes["tracked"] == {
        (f"{TRACKED:014d}", None, "removed"),
        (f"{TRACKED_2:014d}", None, "added"),
    }
    assert changes["registered"] == {(f"{REGISTERED_2:014d}", None, "added")}
    assert changes["exceptions_alpha"] == {(f"{PAIRED:014d}", ALPHA_SIM, "removed")}
    registered = {r["imei"] for r in _rows(second / "registered.csv")}
    assert f"{EXEMPT:014d}" in registered and f"{TRACKED_EXEMPT:014d}" in registered
    assert f"{TRACKED_EXEMPT:014d}" not in {r["imei"] for r in _rows(second / "tracked.csv")}


@pytest.mark.parametrize("operator", OPS)
def test_operator_eir_agrees_with_the_lists_over_n5g_and_s13(ceir, tmp_path, operator) -> None:
    data, first, second = ceir
    vkey = data / "keys" / "ceir.vkey"
    # The operator: run 1 in full (its files only), then run 2's deltas only.
    base = _download(first, tmp_path / "run1", operator, deltas_only=False)
    delta = _download(second, tmp_path / "run2-delta", operator, deltas_only=True)
    for downloaded in (base, delta):
        done = _cli("lists", "verify", "--partial", "--key", str(vkey), str(downloaded))
        assert done.returncode == 0, done.stderr + done.stdout
        assert "files OK" in done.stdout
    rebuilt = tmp_path / "run2"
    apply_delta(base, delta, rebuilt, load_verifier(vkey))  # rebuilt files match signed hashes
    for name in operator_files(operator):
        if name.endswith(".csv") and not name.endswith("_delta.csv"):
            assert (rebuilt / name).read_bytes() == (second / name).read_bytes(), name
    assert not any(
        p.name.startswith(f"notifications_{o}")
        for o in OPS
        if o != operator
        for p in rebuilt.iterdir()
    )
    snapshot = snapshot_from_files(rebuilt, tmp_path / "eir", operator=operator)
    assert snapshot.name == "20261129T000000Z"

    lists = Lists.read(rebuilt, operator)
    keys = sorted(
        {k for run in (first, second) for k in Lists.read(run, operator).dated}
        | {k for run in (first, second) for k, _ in Lists.read(run, operator).pairs}
        | {k for run in (first, second) for k in Lists.read(run, operator).tracked}
        | {k for run in (first, second) for k in Lists.read(run, operator).registered}
        | {
            EXEMPT,
            TRACKED_EXEMPT,
            BARRED_1,
            BARRED_2,
            BARRED_PAIRED,
            BARRED_EXEMPT,
            UNLISTED,
            GRACE_B,
            GRACE_PAIRED,
        }
    )
    pairs = {p for run in (first, second) for p in Lists.read(run, operator).pairs}
    imsis = {k: {None, OTHER} | {i for kk, i in pairs if kk == k} for k in keys}
    imsis[GRACE_PAIRED] |= {ALPHA_SIM}
    cases = [(k, i) for k in keys for i in sorted(imsis[k], key=str)]

    # Each interesting case is really among them and the lists say what the case is about.
    grey = "GREYLISTED"
    assert lists.decide(GRACE_A if operator == "alpha" else GRACE_B, None, False) == grey
    assert lists.decide(BARRED_2, None, False) == "BLACKLISTED"
    assert lists.decide(BARRED_1, None, False) == "WHITELISTED"
    assert lists.decide(TRACKED_2, None, False) == grey
    assert lists.decide(TRACKED_EXEMPT, None, False) == "WHITELISTED"
    assert lists.decide(EXEMPT, None, False) == "WHITELISTED"
    assert lists.decide(BARRED_EXEMPT, None, False) == "WHITELISTED"
    assert lists.decide(BARRED_EXEMPT, None, True) == "WHITELISTED"  # golden is registered
    assert lists.decide(UNLISTED, None, True) == "UNKNOWN"
    assert lists.decide(REGISTERED, None, True) == "WHITELISTED"
    assert lists.decide(PAIRED, FOREIGN, False) == "WHITELISTED"
    assert lists.decide(PAIRED, None, False) == "BLACKLISTED"
    assert lists.decide(PAIRED, ALPHA_SIM, False) == "BLACKLISTED"  # exception removed in run 2
    if operator == "alpha":
        assert lists.decide(BARRED_PAIRED, ALPHA_SIM, False) == "WHITELISTED"
    else:
        assert lists.decide(CLONE, BETA_SIM, False) == "WHITELISTED"
    assert lists.decide(NEW_BLOCK, None, False) == "BLACKLISTED"
    assert lists.decide(STOLEN, None, False) == "WHITELISTED"

    root = tmp_path / "eir"
    checked = 0
    for restrictive in (False, True):
        service = EirService(root, EirPolicy(restrictive=restrictive, unknown="not-found"))
        n5g_port = free_port()
        s13_thread, s13_port = _s13(service)
        with hypercorn_server(N5gEirApp(service), n5g_port), s13_thread:
            base_url = f"http://127.0.0.1:{n5g_port}"
            peer = S13Client(s13_port)
            with httpx.Client(http1=True) as h1, httpx.Client(http1=False, http2=True) as h2:
                for n, (key, imsi) in enumerate(cases):
                    want = lists.decide(key, imsi, restrictive)
                    pei, imei = _pei(key, n)
                    got = (
                        _n5g_status(h1, base_url, pei, imsi),
                        _n5g_status(h2, base_url, pei, imsi),
                        peer.status(imei, imsi),
                    )
                    assert got == (want, want, want), (key, imsi, restrictive, got)
                    checked += 1
                assert h2.get(base_url + PATH, params={"pei": pei}).http_version == "HTTP/2"
            peer.close()
    assert checked == 2 * len(cases) and len(cases) >= 35


def test_a_flipped_byte_in_a_downloaded_file_fails_verify(ceir, tmp_path) -> None:
    data, _, second = ceir
    vkey = data / "keys" / "ceir.vkey"
    for name in ("blacklist_delta.csv", "exceptions_alpha.csv", "manifest.note"):
        copy = _download(second, tmp_path / name, "alpha", deltas_only=False)
        shutil.copyfile(second / "blacklist_delta.csv", copy / "blacklist_delta.csv")
        target = copy / name
        raw = bytearray(target.read_bytes())
        raw[len(raw) // 2] ^= 0x01
        target.write_bytes(bytes(raw))
        done = _cli("lists", "verify", "--partial", "--key", str(vkey), str(copy))
        assert done.returncode == 1, (name, done.stdout)
        assert "Error" in done.stderr + done.stdout
        assert "Traceback" not in done.stderr
