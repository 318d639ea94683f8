"""Real servers on 127.0.0.1 for notification tests: an SMTP sink and an SMS gateway.

The SMS gateway is a small HTTP server that records each JSON POST, so a test reads the
code an "SMS" carried; it can be told to fail the next N requests, to test retries.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class SmsGateway:
    """A recording HTTP server standing for an operator's SMS gateway."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token
        self.received: list[dict[str, Any]] = []
        self.fail_next = 0
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                with gateway.lock:
                    if gateway.fail_next > 0:
                        gateway.fail_next -= 1
                        self.send_response(503)
                        self.end_headers()
                        return
                    wanted = f"Bearer {gateway.token}" if gateway.token else None
                    if wanted and self.headers.get("Authorization") != wanted:
                        self.send_response(401)
                        self.end_headers()
                        return
                    gateway.received.append(body)
                self.send_response(202)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"accepted": true}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/send"

    def __enter__(self) -> SmsGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def to(self, msisdn: str) -> list[str]:
        """Texts received for one MSISDN, oldest first."""
        with self.lock:
            return [m["text"] for m in self.received if m["to"] == msisdn]

    def codes(self, msisdn: str) -> int:
        """How many code messages `msisdn` received."""
        return sum(1 for t in self.to(msisdn) if re.search(r"(?:code is|code est|رمزك هو) ", t))

    def last_code(self, msisdn: str) -> str:
        """The digits of the last code texted to `msisdn` (AssertionError when none)."""
        for text in reversed(self.to(msisdn)):
            found = re.search(r"(?:code is|code est|رمزك هو) (\d{4,10})\b", text)
            if found:
                return found.group(1)
        raise AssertionError(f"no code was texted to {msisdn}: {self.to(msisdn)[-3:]}")


class SmtpSink:
    """aiosmtpd on 127.0.0.1, keeping every message it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        sink = self
        self.messages: list[dict[str, Any]] = []

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                sink.messages.append(
                    {
                        "from": envelope.mail_from,
                        "to": list(envelope.rcpt_tos),
                        "data": envelope.content.decode("utf-8", "replace"),
                    }
                )
                return "250 OK"

        with socket.socket() as probe:  # aiosmtpd's start() connects to its port: pick one
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def wait_until(predicate: Any, timeout: float = 10.0) -> None:
    """Poll `predicate` until true (the servers run in threads)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)
