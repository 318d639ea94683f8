"""The overlay: a published change reaches a running N5g-eir server without a rebuild."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from openceir.eir.n5g import PATH, N5gEirApp
from openceir.eir.overlay import publish_overlay_change, read_overlay
from openceir.eir.service import EirService
from tests.eir.conftest import PAIRED, PAIRED_IMSI, STOLEN, UNLISTED, pei
from tests.eir.servers import free_port, hypercorn_server


def _status(base: str, key: int, **extra: str) -> str:
    return httpx.get(base + PATH, params={"pei": pei(key), **extra}).json()["status"]


def _until(base: str, key: int, want: str, **extra: str) -> str:
    got = ""
    for _ in range(100):  # bounded wait for the worker's 0.2 s reload, not a timing assertion
        got = _status(base, key, **extra)
        if got == want:
            break
        time.sleep(0.1)
    return got


def test_block_and_unblock_reach_the_running_server(eir_root: Path) -> None:
    app = N5gEirApp(EirService(eir_root, reload_interval=0.2))
    port = free_port()
    with hypercorn_server(app, port):
        base = f"http://127.0.0.1:{port}"
        assert _status(base, UNLISTED) == "WHITELISTED"
        publish_overlay_change(eir_root, [(UNLISTED, True, "stolen"), (PAIRED, True, "stolen")])
        assert _until(base, UNLISTED, "BLACKLISTED") == "BLACKLISTED"
        # A pair on the exceptions list keeps its exception.
        assert _status(base, PAIRED, supi=f"imsi-{PAIRED_IMSI}") == "WHITELISTED"
        publish_overlay_change(eir_root, [(UNLISTED, False, "recovered"), (STOLEN, False, "x")])
        assert _until(base, UNLISTED, "WHITELISTED") == "WHITELISTED"
        assert _status(base, STOLEN) == "WHITELISTED"
    assert read_overlay(eir_root)[UNLISTED]["blocked"] is False
