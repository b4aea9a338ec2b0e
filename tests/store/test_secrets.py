from __future__ import annotations

from fastapi.testclient import TestClient

from claimdesk.config import Settings
from claimdesk.store import secrets
from claimdesk.store.database import Database
from claimdesk.web.app import create_app


def test_a_secret_is_generated_once_and_then_kept(db: Database) -> None:
    with db.session() as s:
        first = secrets.get_or_create(s, "k")
    with db.session() as s:
        assert secrets.get_or_create(s, "k") == first
    assert len(first) == 64


def test_every_worker_signs_with_the_stored_key_unless_the_environment_names_one(
    db: Database,
) -> None:
    url = str(db.engine.url)
    one = create_app(Settings(database_url=url), database=db)
    two = create_app(Settings(database_url=url), database=db)
    assert one.state.secret_key == two.state.secret_key
    pinned = create_app(Settings(database_url=url, secret_key="from-env"), database=db)
    assert pinned.state.secret_key == "from-env"


def test_the_served_app_reads_the_key_on_startup(sqlite_url: str) -> None:
    app = create_app(Settings(database_url=sqlite_url))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        key = app.state.secret_key
    again = create_app(Settings(database_url=sqlite_url))
    with TestClient(again):
        assert again.state.secret_key == key
