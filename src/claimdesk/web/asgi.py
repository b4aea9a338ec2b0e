"""ASGI entry point for uvicorn: the app configured from the environment."""

from claimdesk.config import Settings
from claimdesk.web.app import create_app

app = create_app(Settings.from_env())
