"""`openceir serve`: the web app (portal, REST API, Handle resolution, ledger files) on uvicorn."""

from __future__ import annotations

import typer

from openceir.cli import _context
from openceir.cli._context import console


def register(app: typer.Typer) -> None:
    """Add the `serve` command to the root app."""

    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(8000, help="Port to listen on."),
        workers: int = typer.Option(1, min=1, help="Worker processes."),
    ) -> None:
        """Serve the web app: portal, REST API under /api/v1, Handle resolution, ledger files.

        Example: openceir serve --port 8000
        """
        import uvicorn

        settings = _context.settings()
        console.print(
            f"Serving {settings.region.name} CEIR on http://{host}:{port} "
            f"(data dir {settings.data_dir})"
        )
        uvicorn.run(
            "openceir.web.asgi:app",
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            factory=False,
        )
