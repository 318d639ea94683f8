"""The ASGI entry point for servers: the app built from the environment's settings."""

from openceir.settings import load_settings
from openceir.web.app import create_app

app = create_app(load_settings())
