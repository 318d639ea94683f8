"""ASGI entry points for Hypercorn workers: `app` (N5g-eir) and `hello` (the benchmark floor).

`app` is built on first use from `load_settings()` (see `server.worker_environ`), so each
spawned worker opens its own memory map of the same snapshot.
"""

from __future__ import annotations

from typing import Any

from openceir.eir.n5g import N5gEirApp


class _LazyApp:
    """Build the N5g-eir app from the settings on the first ASGI call."""

    def __init__(self) -> None:
        self._app: N5gEirApp | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._app is None:
            from openceir.eir.server import build_app
            from openceir.settings import load_settings

            self._app = build_app(load_settings())
        await self._app(scope, receive, send)


async def hello(scope: Any, receive: Any, send: Any) -> None:
    """A bare ASGI endpoint answering a fixed JSON body: the HTTP benchmark's floor."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    body = b'{"status":"WHITELISTED"}'
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"24")],
        }
    )
    await send({"type": "http.response.body", "body": body})


app = _LazyApp()

__all__ = ["app", "hello"]
