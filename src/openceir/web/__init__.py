"""The web: one FastAPI app for every audience, built by `create_app(settings)`."""

from openceir.web.app import create_app

__all__ = ["create_app"]
