"""Following a peer's log: rollbacks, forged entries and forks are refused."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from openceir.errors import IntegrityError, NotFound
from openceir.ledger import federation
from openceir.ledger.log import Log
from openceir.ledger.storage import LedgerFiles
from openceir.tlog.tiles import parse_tile_path

ORIGIN = "ceir.alphaland.example/log"


def static_files(root: Path, tamper: dict[str, bytes] | None = None) -> httpx.Client:
    """A client whose transport serves a ledger directory like a static web server."""
    files = LedgerFiles(root)

    def handler(request: httpx.Request) -> httpx.Response:
        name = request.url.path.removeprefix("/ledger/")
        if tamper and name in tamper:
            return httpx.Response(200, content=tamper[name])
        try:
            if name == "checkpoint":
                return httpx.Response(200, content=files.read(name))
            return httpx.Response(200, content=files.read_tile(parse_tile_path(name))[1])
        except (NotFound, ValueError):
            return httpx.Response(404)

    return httpx.Client(transport=httpx.MockTransport(handler), base_url="http://peer")


@pytest.fixture
def peer_log(tmp_path: Path) -> Log:
    log = Log.create(tmp_path / "peer", ORIGIN)
    log.append([f"entry {i}".encode() for i in range(40)])
    return log


def test_follow_mirrors_non_event_entries_without_importing_them(tmp_path, peer_log) -> None:
    peer = federation.add_peer(
        tmp_path / "me", "alpha", "http://peer/ledger", peer_log.verifier.vkey
    )
    assert peer.url == "http://peer/ledger/"
    with static_files(peer_log.files.root) as client:
        result = federation.follow(tmp_path / "me", peer, client)
    assert (result.size, result.new_entries, result.imported) == (40, 40, 0)
    assert (tmp_path / "me/peers/alpha/leaves").stat().st_size == 40 * 32
    assert federation.load_peer(tmp_path / "me", "alpha") == peer


def test_entries_that_do_not_hash_to_the_signed_root_are_refused(tmp_path, peer_log) -> None:
    peer = federation.add_peer(
        tmp_path / "me", "alpha", "http://peer/ledger", peer_log.verifier.vkey
    )
    bundle = (peer_log.files.root / "tile/entries/000.p/40").read_bytes()
    forged = {"tile/entries/000.p/40": bundle.replace(b"entry 7", b"entry 8")}
    with (
        static_files(peer_log.files.root, forged) as client,
        pytest.raises(IntegrityError, match="do not hash to its signed root"),
    ):
        federation.follow(tmp_path / "me", peer, client)
    assert not (tmp_path / "me/peers/alpha/checkpoint").exists()


def test_a_peer_going_back_in_size_is_a_fork(tmp_path, peer_log) -> None:
    peer = federation.add_peer(
        tmp_path / "me", "alpha", "http://peer/ledger", peer_log.verifier.vkey
    )
    older = (peer_log.files.root / "checkpoint").read_bytes()
    peer_log.append([b"entry 40"])
    with static_files(peer_log.files.root) as client:
        federation.follow(tmp_path / "me", peer, client)
    with (
        static_files(peer_log.files.root, {"checkpoint": older}) as client,
        pytest.raises(federation.ForkError, match="went back from size 41 to 40"),
    ):
        federation.follow(tmp_path / "me", peer, client)


def test_bad_peer_names_and_unknown_peers_are_errors(tmp_path, peer_log) -> None:
    with pytest.raises(federation.InputError):
        federation.add_peer(tmp_path, "../x", "http://p/", peer_log.verifier.vkey)
    with pytest.raises(NotFound, match="'beta' is not registered"):
        federation.load_peer(tmp_path, "beta")
