"""Settings read from the environment, built once per app or command (no import-time globals)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_PATH = Path("var") / "claimdesk.db"


@dataclass(frozen=True)
class Settings:
    """Runtime configuration. ``from_env`` documents every variable claimdesk reads."""

    database_url: str
    secret_key: str | None = None
    fetch_private: bool = False  # may the web app fetch URLs on private/local networks?

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        url = env.get("CLAIMDESK_DATABASE_URL") or f"sqlite:///{DEFAULT_DATABASE_PATH}"
        return cls(
            database_url=url,
            secret_key=env.get("CLAIMDESK_SECRET_KEY") or None,
            fetch_private=env.get("CLAIMDESK_FETCH_PRIVATE") == "1",
        )
