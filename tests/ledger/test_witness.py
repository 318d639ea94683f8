"""A witness kept on disk (C2SP tlog-witness checks) and a log publishing to witnesses."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from openceir.errors import IntegrityError
from openceir.ledger import witness
from openceir.ledger.log import Log
from openceir.ledger.witness import Witness
from openceir.tlog import cosignature
from openceir.tlog import witness as protocol
from openceir.tlog.witness import WitnessError

ORIGIN = "ceir.testland.example/log"
NOW = 1_800_000_000


@pytest.fixture
def log(tmp_path: Path) -> Log:
    log = Log.create(tmp_path / "log", ORIGIN)
    log.append([f"e{i}".encode() for i in range(10)])
    return log


@pytest.fixture
def wit(tmp_path: Path, log: Log) -> Witness:
    witness.init_witness(tmp_path / "w", "witness.testland/w1", [log.verifier.vkey])
    return Witness.open(tmp_path / "w")


def _status(wit: Witness, body: bytes) -> tuple[int, str | None]:
    with pytest.raises(WitnessError) as info:
        wit.add_checkpoint(body, now=NOW)
    return info.value.status, info.value.body


def test_witness_follows_a_growing_log_with_consistency_proofs(log: Log, wit: Witness) -> None:
    first = wit.add_checkpoint(protocol.format_request(0, [], log.checkpoint()), now=NOW)
    assert first.startswith("— witness.testland/w1 ")
    assert wit.latest(ORIGIN) == (10, log.root())
    log.append([b"e10", b"e11"])
    assert _status(wit, protocol.format_request(0, [], log.checkpoint())) == (409, "10\n")
    proof = log.consistency_proof(10, 12)
    line = wit.add_checkpoint(protocol.format_request(10, proof, log.checkpoint()), now=NOW)
    cosigned = log.add_cosignatures([line])
    assert cosignature.is_published(cosigned, log.verifier, [wit.cosigner.verifier], quorum=1)
    assert wit.latest(ORIGIN)[0] == 12
    again = wit.add_checkpoint(protocol.format_request(12, [], log.checkpoint()), now=NOW + 60)
    renewed = log.add_cosignatures([again])
    assert renewed.count("— witness.testland/w1 ".encode()) == 1
    assert cosignature.cosignature_times(renewed, [wit.cosigner.verifier]) == {
        "witness.testland/w1": NOW + 60
    }


def test_witness_rejects_bad_requests_with_the_spec_status(
    tmp_path, log: Log, wit: Witness
) -> None:
    wit.add_checkpoint(protocol.format_request(0, [], log.checkpoint()), now=NOW)
    log.append([b"e10"])
    proof = log.consistency_proof(10, 11)
    bad = [bytes(32), *proof[1:]]
    assert _status(wit, protocol.format_request(10, bad, log.checkpoint()))[0] == 422
    assert _status(wit, protocol.format_request(12, [], log.checkpoint()))[0] == 400
    assert _status(wit, b"old 01\n\n" + log.checkpoint())[0] == 400
    assert _status(wit, b"no blank line")[0] == 400
    other = Log.create(tmp_path / "other", "other.example/log")
    assert _status(wit, protocol.format_request(0, [], other.checkpoint()))[0] == 404
    impostor = Log.create(tmp_path / "impostor", ORIGIN)  # same origin, another key
    impostor.append([f"x{i}".encode() for i in range(10)])
    assert _status(wit, protocol.format_request(10, [], impostor.checkpoint()))[0] == 403


def test_same_size_with_another_root_is_a_fork(tmp_path, log: Log, wit: Witness) -> None:
    wit.add_checkpoint(protocol.format_request(0, [], log.checkpoint()), now=NOW)
    fork = Log.create(tmp_path / "fork", ORIGIN, key=log.signer)
    fork.append([f"forked {i}".encode() for i in range(10)])
    status, _ = _status(wit, protocol.format_request(10, [], fork.checkpoint()))
    assert status == 409


def test_publish_collects_a_quorum_over_http_transport(tmp_path, log: Log) -> None:
    witnesses = {}
    for n in (1, 2, 3):
        witness.init_witness(tmp_path / f"w{n}", f"witness.testland/w{n}", [log.verifier.vkey])
        witnesses[f"http://w{n}/add-checkpoint"] = Witness.open(tmp_path / f"w{n}")
    witnesses["http://w3/add-checkpoint"].logs.clear()  # w3 does not know our log

    def handler(request: httpx.Request) -> httpx.Response:
        try:
            line = witnesses[str(request.url)].add_checkpoint(request.content, now=NOW)
        except WitnessError as exc:
            ctype = protocol.SIZE_CONTENT_TYPE if exc.body else "text/plain"
            return httpx.Response(
                exc.status, text=exc.body or str(exc), headers={"content-type": ctype}
            )
        return httpx.Response(200, text=line)

    keys = [(url, w.cosigner.verifier) for url, w in witnesses.items()]
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        msg = witness.publish(log, keys, quorum=2, client=client)
        assert cosignature.cosignature_times(msg, [k for _, k in keys]).keys() == {
            "witness.testland/w1", "witness.testland/w2",
        }  # fmt: skip
        assert Log.open(log.files.root).checkpoint() == msg
        log.append([b"more"])
        with pytest.raises(IntegrityError, match="only 2 of the 3 witness cosignatures"):
            witness.publish(log, keys, quorum=3, client=client)
    assert witnesses["http://w1/add-checkpoint"].latest(ORIGIN)[0] == 11
