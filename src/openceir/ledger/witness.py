"""A witness kept on disk, and a log asking witnesses to cosign it (C2SP tlog-witness).

The protocol and its checks are `openceir.tlog.witness`, the keys and signatures
`openceir.tlog.cosignature`; this module adds the application: a witness directory
(`witness.skey`, `logs.vkeys`, `state.json`: the latest checkpoint it cosigned per log
origin, replaced atomically under a lock), the HTTP client side (`request_cosignature`,
`publish`) that collects cosignatures for this CEIR's log.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import httpx

from openceir.errors import IntegrityError, NotFound
from openceir.ledger.log import Log
from openceir.ledger.storage import write_atomic
from openceir.tlog import checkpoint as cp
from openceir.tlog import note
from openceir.tlog.cosignature import (
    CosignatureVerifier,
    Cosigner,
    cosignature_times,
    generate_cosigner,
    parse_cosigner_skey,
)
from openceir.tlog.errors import TlogError
from openceir.tlog.witness import (
    SIZE_CONTENT_TYPE,
    check_consistency,
    format_request,
    open_request,
)

WITNESS_SKEY = "witness.skey"
WITNESS_LOGS = "logs.vkeys"
WITNESS_STATE = "state.json"


def init_witness(directory: Path, name: str, logs: Iterable[str]) -> CosignatureVerifier:
    """Create a witness in `directory` for the logs with these vkeys; returns its public key."""
    directory = Path(directory)
    if (directory / WITNESS_SKEY).exists():
        raise IntegrityError(f"a witness key already exists in {directory}")
    keys = [note.parse_vkey(k).vkey for k in logs]
    cosigner = generate_cosigner(name)
    write_atomic(directory / WITNESS_SKEY, (cosigner.skey + "\n").encode(), mode=0o600)
    write_atomic(directory / WITNESS_LOGS, "".join(k + "\n" for k in keys).encode())
    return cosigner.verifier


class Witness:
    """A witness for a set of logs, its state (latest cosigned size and root per origin) on disk."""

    def __init__(self, cosigner: Cosigner, logs: Iterable[note.Verifier], state_file: Path) -> None:
        self.cosigner = cosigner
        self.logs = {log.name: log for log in logs}
        self.state_file = state_file
        self._lock = threading.Lock()

    @classmethod
    def open(cls, directory: Path) -> Witness:
        """The witness kept in `directory`: witness.skey, logs.vkeys (one per line), state.json."""
        directory = Path(directory)
        try:
            cosigner = parse_cosigner_skey((directory / WITNESS_SKEY).read_text())
            vkeys = (directory / WITNESS_LOGS).read_text().split()
        except FileNotFoundError:
            raise NotFound(f"no witness configured in {directory}") from None
        return cls(cosigner, [note.parse_vkey(k) for k in vkeys], directory / WITNESS_STATE)

    def _state(self) -> dict[str, dict[str, object]]:
        if not self.state_file.is_file():
            return {}
        return json.loads(self.state_file.read_text())

    def latest(self, origin: str) -> tuple[int, bytes | None]:
        """The size and root this witness last cosigned for a log (0, None if never)."""
        entry = self._state().get(origin)
        if not entry:
            return 0, None
        return int(entry["size"]), base64.b64decode(str(entry["root"]))

    def add_checkpoint(self, body: bytes, now: int | None = None) -> str:
        """Handle an add-checkpoint request: the cosignature line, or a WitnessError."""
        old, proof, checkpoint = open_request(body, self.logs)
        with self._lock:
            state = self._state()
            size, root = self.latest(checkpoint.origin)
            check_consistency(old, proof, checkpoint, size, root)
            state[checkpoint.origin] = {
                "size": checkpoint.size,
                "root": base64.b64encode(checkpoint.root).decode(),
            }
            write_atomic(self.state_file, (json.dumps(state, sort_keys=True) + "\n").encode())
        timestamp = int(time.time()) if now is None else now
        return self.cosigner.cosign(checkpoint.format(), timestamp)


def request_cosignature(
    client: httpx.Client, url: str, log: Log, witness_key: CosignatureVerifier
) -> str:
    """Ask the witness at `url` (its add-checkpoint URL) to cosign the log's checkpoint.

    Starts from the size the witness reports (a 409 tells it), sends the consistency
    proof from there, and checks the returned cosignature against `witness_key`.
    """
    msg = log.checkpoint()
    size = cp.parse(note.parse(msg).text).size
    old = 0
    for _ in range(2):
        proof = log.consistency_proof(old, size) if 0 < old < size else []
        response = client.post(url, content=format_request(old, proof, msg))
        if response.status_code == 409 and response.headers.get("content-type", "").startswith(
            SIZE_CONTENT_TYPE
        ):
            old = int(response.text.strip())
            if old > size:
                raise IntegrityError(
                    f"witness {witness_key.name} has seen size {old}, above our {size}: a fork?"
                )
            continue
        if response.status_code != 200:
            raise IntegrityError(
                f"witness {witness_key.name} refused the checkpoint: "
                f"{response.status_code} {response.text.strip()[:200]}"
            )
        lines = [line + "\n" for line in response.text.splitlines() if line]
        cosigned = (msg.decode() + "".join(lines)).encode()
        if witness_key.name not in cosignature_times(cosigned, [witness_key]):
            raise IntegrityError(f"witness {witness_key.name} returned no valid cosignature")
        return next(
            line for line in lines if line.startswith(f"{note.SIG_PREFIX}{witness_key.name} ")
        )
    raise IntegrityError(f"witness {witness_key.name} keeps reporting another size")


def publish(
    log: Log,
    witnesses: Iterable[tuple[str, CosignatureVerifier]],
    quorum: int,
    client: httpx.Client,
) -> bytes:
    """Collect cosignatures from witnesses and add them to the checkpoint; needs a quorum.

    Witnesses that fail are skipped; fewer than `quorum` cosignatures is an IntegrityError
    naming the failures (the cosignatures obtained are still added).
    """
    lines, failures = [], []
    for url, key in witnesses:
        try:
            lines.append(request_cosignature(client, url, log, key))
        except (IntegrityError, TlogError, httpx.HTTPError) as exc:
            failures.append(f"{key.name}: {exc}")
    updated = log.add_cosignatures(lines) if lines else log.checkpoint()
    if len(lines) < quorum:
        raise IntegrityError(
            f"only {len(lines)} of the {quorum} witness cosignatures needed; " + "; ".join(failures)
        )
    return updated


__all__ = [
    "Witness",
    "init_witness",
    "publish",
    "request_cosignature",
]
