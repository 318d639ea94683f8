"""Real servers on 127.0.0.1 for the EIR tests: Hypercorn (N5g-eir) and the S13 peer."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any


def free_port() -> int:
    """An ephemeral TCP port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LoopThread:
    """Run one coroutine factory on an event loop in a thread until the context exits."""

    def __init__(self, main: Any) -> None:
        self.main = main
        self.loop = asyncio.new_event_loop()
        self.stop: asyncio.Event | None = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def runner() -> None:
            self.stop = asyncio.Event()
            await self.main(self.stop, self.ready)

        self.loop.run_until_complete(runner())

    def __enter__(self) -> LoopThread:
        self.thread.start()
        if not self.ready.wait(20):
            raise RuntimeError("server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(10)


async def until_listening(port: int) -> None:
    """Return once 127.0.0.1:`port` accepts connections."""
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.02)


def s13_server_thread(server: Any, events: Any = None) -> tuple[LoopThread, int]:
    """The S13 peer `server` on a free loopback port, in a LoopThread (enter it to start)."""
    from openceir.eir.s13 import run_s13

    port = free_port()

    async def main(stop: asyncio.Event, ready: threading.Event) -> None:
        task = asyncio.ensure_future(run_s13(server, "127.0.0.1", port, events, stop=stop))
        await until_listening(port)
        ready.set()
        await task

    return LoopThread(main), port


def hypercorn_server(app: Any, port: int) -> LoopThread:
    """Hypercorn serving `app` (HTTP/1.1 and h2c) on 127.0.0.1:port."""
    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.accesslog = None
    config.loglevel = "WARNING"

    async def main(stop: asyncio.Event, ready: threading.Event) -> None:
        task = asyncio.ensure_future(serve(app, config, shutdown_trigger=stop.wait))
        await until_listening(port)
        ready.set()
        await task

    return LoopThread(main)
