"""Request bodies are capped per route and refused with 413 before they are read, on a real
uvicorn on 127.0.0.1 (raw sockets, so nothing on the client side limits anything)."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from openceir.access.token_endpoint import MAX_BODY
from openceir.settings import Settings
from openceir.web import create_app
from openceir.web.body_limit import DEFAULT, BodyLimit


def _raw(base: str, head: str, chunks: list[bytes] = ()) -> bytes:
    """Send a request head (and body chunks as they are accepted); return what came back."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(head.encode())
        try:
            for chunk in chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b""
        while True:
            try:
                part = sock.recv(65536)
            except ConnectionResetError:
                break
            if not part:
                break
            data += part
            if b"\r\n\r\n" in data and b'"status"' in data:
                break
        return data


@pytest.fixture
def base(tmp_path, live_server):
    app = create_app(Settings(data_dir=tmp_path))
    with live_server(app) as url:
        yield url


def test_declared_300_mb_token_request_is_refused_before_reading(base: str) -> None:
    head = (
        "POST /api/v1/oauth2/token HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 300000000\r\n\r\n"
    )
    answer = _raw(base, head)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"application/problem+json" in answer and f"({MAX_BODY} bytes)".encode() in answer


def test_streamed_witness_body_is_cut_off_at_its_limit(base: str) -> None:
    head = (
        "POST /ledger/witness/add-checkpoint HTTP/1.1\r\nHost: x\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"%x\r\n%s\r\n" % (8192, b"a" * 8192)
    answer = _raw(base, head, [chunk] * 64)  # 512 KiB offered
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_small_bodies_pass_and_limits_follow_route_templates() -> None:
    limit = BodyLimit(app=None, limits={"/a/{x}/upload": 10_000_000, "/token": 100})  # type: ignore[arg-type]
    assert limit.limit_for("/a/alpha/upload") == 10_000_000
    assert limit.limit_for("/token") == 100
    assert limit.limit_for("/a/alpha/other") == DEFAULT
    assert limit.limit_for("/token/x") == DEFAULT


def test_a_token_request_under_the_limit_is_answered_normally(base: str) -> None:
    import httpx

    response = httpx.post(base + "/api/v1/oauth2/token", data={"grant_type": "password"})
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"
