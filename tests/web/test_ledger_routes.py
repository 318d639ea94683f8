"""The ledger over HTTP: tiles and proofs in-process, federation and witnessing on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from stdnum import luhn

from openceir.ledger import federation, witness
from openceir.ledger.entries import sign_event
from openceir.ledger.events import ImeiLedger, verify_inclusion_bundle
from openceir.ledger.log import Log
from openceir.ledger.participants import add_participant
from openceir.settings import Settings
from openceir.tlog import checkpoint, cosignature, merkle, note, tiles
from openceir.tlog import witness as tlog_witness
from openceir.web import create_app

ORIGIN = "ceir.testland.example/log"
IMEI = "352099001761481"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "ledger"
    Log.create(path, ORIGIN)
    police = note.generate_key("police.testland")
    add_participant(path, police.verifier.vkey, ["police"])
    other = [f"35209900{n:06d}" for n in range(300)]
    events = [
        {"type": "reported_stolen", "imeis": [body + luhn.calc_check_digit(body)], "case": "C-1"}
        for body in other
    ]
    events.append({"type": "reported_stolen", "imeis": [IMEI], "case": "C-2"})
    ImeiLedger.open(path).append([sign_event(e, police) for e in events])
    return tmp_path / "data"


def get(data_dir: Path, *paths: str) -> list[httpx.Response]:
    app = create_app(Settings(data_dir=data_dir))

    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return [await client.get(p) for p in paths]

    return asyncio.run(go())


def test_checkpoint_and_tiles_are_served_with_cache_rules(data_dir: Path) -> None:
    cp, vkey, full, partial, level1, bundle = get(
        data_dir,
        "/ledger/checkpoint",
        "/ledger/log.vkey",
        "/ledger/tile/0/000",
        "/ledger/tile/0/001.p/45",
        "/ledger/tile/1/000.p/1",
        "/ledger/tile/entries/001.p/45",
    )
    assert cp.status_code == 200 and cp.headers["content-type"] == "text/plain; charset=utf-8"
    assert cp.headers["cache-control"] == "public, max-age=5"
    key = note.parse_vkey(vkey.text)
    parsed, _ = checkpoint.open_checkpoint(cp.content, key)
    assert parsed.size == 301
    assert full.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert full.headers["content-type"] == "application/octet-stream"
    assert len(full.content) == 256 * 32
    assert (
        partial.headers["cache-control"] == "public, max-age=5" and len(partial.content) == 45 * 32
    )
    assert len(level1.content) == 32
    assert tiles.decode_bundle(bundle.content)[-1].startswith(b'{"case":"C-2"')
    by_path = {"tile/0/000": full.content, "tile/0/001.p/45": partial.content,
               "tile/1/000.p/1": level1.content}  # fmt: skip
    reader = tiles.tile_hash_reader(301, lambda t: by_path[t.path])
    assert merkle.tree_root(301, reader) == parsed.root


def test_narrower_partial_tile_is_served_from_a_wider_one(data_dir: Path) -> None:
    (wide,) = get(data_dir, "/ledger/tile/0/001.p/45")
    (narrow,) = get(data_dir, "/ledger/tile/0/001.p/10")
    assert narrow.status_code == 200 and narrow.content == wide.content[: 10 * 32]


@pytest.mark.parametrize(
    "path",
    [
        "/ledger/tile/0/002",  # beyond the tree
        "/ledger/tile/0/1",  # not canonical
        "/ledger/tile/../log.skey",
        "/ledger/log.skey",
        "/ledger/tile/0/000.p/256",
    ],
)
def test_non_tiles_and_missing_tiles_are_404_problems(data_dir: Path, path: str) -> None:
    (response,) = get(data_dir, path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "PRIVATE" not in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/ledger/tile/0/" + "x001/" * 820 + "000",  # was 500: file name too long
        "/ledger/tile/0/" + "x001/" * 1434 + "000",  # was 500: int digit limit
        "/ledger/tile/entries/" + "x001/" * 820 + "000",
        "/ledger/tile/entries/" + "x001/" * 1434 + "000.p/3",
        "/ledger/tile/0/x072/x057/x594/x037/x927/936",  # index beyond any uint64 tree
    ],
)
def test_overlong_tile_paths_are_404_problems_not_500(data_dir: Path, path: str) -> None:
    (response,) = get(data_dir, path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404 and "is not a tile path" in problem["detail"]
    assert len(response.content) < 500


def test_proof_route_refuses_an_entry_of_another_imei_from_a_tampered_index(
    data_dir: Path,
) -> None:
    tsv = data_dir / "ledger/index/imei.tsv"
    tsv.write_text(tsv.read_text().replace(f"{IMEI}\t300", f"{IMEI}\t299"))
    (response,) = get(data_dir, f"/ledger/proof/{IMEI}")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert f"entry 299 is not about IMEI {IMEI}" in response.json()["detail"]
    assert "entry" not in response.json() and "proof" not in response.json()


def test_proof_for_an_imei_verifies_against_the_served_key(data_dir: Path) -> None:
    proof, vkey, missing, invalid = get(
        data_dir,
        f"/ledger/proof/{IMEI}",
        "/ledger/log.vkey",
        "/ledger/proof/490154203237518",
        "/ledger/proof/12345",
    )
    assert proof.status_code == 200 and proof.headers["cache-control"] == "no-store"
    event = verify_inclusion_bundle(proof.json(), note.parse_vkey(vkey.text))
    assert event["imeis"] == [IMEI] and proof.json()["index"] == 300
    assert missing.status_code == 404 and "has no event" in missing.json()["detail"]
    assert invalid.status_code == 400 and "15 digits" in invalid.json()["detail"]


def test_without_a_ledger_the_routes_say_so(tmp_path: Path) -> None:
    cp, proof = get(tmp_path, "/ledger/checkpoint", f"/ledger/proof/{IMEI}")
    assert cp.status_code == 404 and "checkpoint does not exist" in cp.json()["detail"]
    assert proof.status_code == 404 and "no ledger" in proof.json()["detail"]


# -- real HTTP: two CEIRs on 127.0.0.1 (uvicorn in threads) ---------------------------------


@contextlib.contextmanager
def serve(data_dir: Path) -> Iterator[str]:
    """Run the real app for a data dir with uvicorn on a free loopback port."""
    config = uvicorn.Config(
        create_app(Settings(data_dir=data_dir)), host="127.0.0.1", port=0, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def _stolen(n: int, case: str) -> dict[str, object]:
    body = f"49015420{n:06d}"
    return {"type": "reported_stolen", "imeis": [body + luhn.calc_check_digit(body)], "case": case}


def test_federation_follows_a_peer_over_http_and_detects_a_fork(tmp_path: Path) -> None:
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a_log = Log.create(a_dir / "ledger", "ceir.alphaland.example/log")
    Log.create(b_dir / "ledger", "ceir.betaland.example/log")
    police = note.generate_key("police.alphaland")
    add_participant(a_dir / "ledger", police.verifier.vkey, ["police"])
    a = ImeiLedger.open(a_dir / "ledger")
    a.append([sign_event(_stolen(n, "A-1"), police) for n in range(300)])
    imei = _stolen(7, "")["imeis"][0]
    with serve(a_dir) as url, httpx.Client() as client:
        peer = federation.add_peer(
            b_dir / "ledger", "alphaland", url + "/ledger/", a_log.verifier.vkey
        )
        first = federation.follow(b_dir / "ledger", peer, client)
        assert (first.size, first.new_entries, first.imported) == (300, 300, 300)
        a.append([sign_event({**_stolen(7, "A-2"), "type": "recovered"}, police)])
        second = federation.follow(b_dir / "ledger", peer, client)
        assert (second.size, second.new_entries, second.imported) == (301, 1, 1)
        again = federation.follow(b_dir / "ledger", peer, client)
        assert again.new_entries == 0
    found = federation.foreign_events(b_dir / "ledger", imei)
    assert [(r["index"], r["event"]["type"]) for r in found] == [
        (7, "reported_stolen"),
        (300, "recovered"),
    ]

    fork_dir = tmp_path / "fork"
    fork = Log.create(fork_dir / "ledger", a_log.origin, key=a_log.signer)  # the same key ...
    fork.append([f"rewritten {n}".encode() for n in range(301)])  # ... signing another history
    with serve(fork_dir) as url, httpx.Client() as client:
        peer = federation.add_peer(
            b_dir / "ledger", "alphaland", url + "/ledger/", a_log.verifier.vkey
        )
        with pytest.raises(federation.ForkError, match="two roots for size 301"):
            federation.follow(b_dir / "ledger", peer, client)
        fork.append([b"one more"])
        with pytest.raises(federation.ForkError, match="not consistent with size 301"):
            federation.follow(b_dir / "ledger", peer, client)
    assert (b_dir / "ledger/peers/alphaland/fork-301.txt").read_bytes().count(
        b"\n\xe2\x80\x94 "
    ) == 2


def test_a_peer_ceir_witnesses_our_checkpoints_over_http(tmp_path: Path) -> None:
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a_log = Log.create(a_dir / "ledger", "ceir.alphaland.example/log")
    a_log.append([b"first", b"second"])
    key = witness.init_witness(b_dir / "ledger" / "witness", "ceir.betaland.example/witness",
                               [a_log.verifier.vkey])  # fmt: skip
    with serve(b_dir) as url, httpx.Client() as client:
        endpoint = url + "/ledger/witness/add-checkpoint"
        msg = witness.publish(a_log, [(endpoint, key)], quorum=1, client=client)
        assert cosignature.is_published(msg, a_log.verifier, [key], quorum=1)
        a_log.append([b"third"])
        msg = witness.publish(a_log, [(endpoint, key)], quorum=1, client=client)
        assert cosignature.cosignature_times(msg, [key]).keys() == {"ceir.betaland.example/witness"}
        stale = client.post(endpoint, content=tlog_witness.format_request(0, [], msg))
        assert stale.status_code == 409
        assert stale.headers["content-type"].startswith("text/x.tlog.size")
        assert stale.text == "3\n"


def _witness_app(tmp_path: Path) -> tuple[Any, Log]:
    log = Log.create(tmp_path / "a" / "ledger", "ceir.alphaland.example/log")
    log.append([b"first"])
    witness.init_witness(tmp_path / "b" / "ledger" / "witness", "ceir.betaland.example/witness",
                         [log.verifier.vkey])  # fmt: skip
    return create_app(Settings(data_dir=tmp_path / "b")), log


def test_add_checkpoint_stops_reading_a_huge_body_and_answers_413(tmp_path: Path) -> None:
    app, _ = _witness_app(tmp_path)
    chunk, sent = b"old 0\n" + b"A" * (64 * 1024 - 6), []

    async def body() -> AsyncIterator[bytes]:
        for _ in range(300 * 16):  # 300 MB if read to the end
            sent.append(len(chunk))
            yield chunk

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.post("/ledger/witness/add-checkpoint", content=body())

    response = asyncio.run(go())
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413 and "65536 bytes" in response.json()["detail"]
    assert sum(sent) <= 3 * len(chunk)  # it stopped reading, it did not buffer 300 MB


def test_add_checkpoint_refuses_a_declared_length_above_the_bound_unread(tmp_path: Path) -> None:
    app, log = _witness_app(tmp_path)
    ok_body = tlog_witness.format_request(0, [], log.checkpoint())

    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            big = await client.post(
                "/ledger/witness/add-checkpoint", content=b"x" * (64 * 1024 + 1)
            )
            ok = await client.post("/ledger/witness/add-checkpoint", content=ok_body)
            return [big, ok]

    big, ok = asyncio.run(go())
    assert big.status_code == 413 and big.json()["title"] == "Content Too Large"
    assert ok.status_code == 200 and ok.text.startswith("— ceir.betaland.example/witness ")


def test_add_checkpoint_answers_413_over_a_real_socket(tmp_path: Path) -> None:
    _witness_app(tmp_path)
    with serve(tmp_path / "b") as url, httpx.Client() as client:
        response = client.post(
            url + "/ledger/witness/add-checkpoint", content=b"old 0\n" + b"A" * (2 << 20)
        )
    assert response.status_code == 413
    assert response.json()["detail"].startswith("request body above 65536 bytes")
