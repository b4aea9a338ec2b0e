from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from claimdesk.config import Settings
from claimdesk.core.permissions import Role
from claimdesk.services import accounts
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.web.app import create_app

PASSWORD = "correct horse battery"


def make_client(db: Database) -> TestClient:
    app = create_app(Settings(database_url=str(db.engine.url), secret_key="test"), database=db)
    return TestClient(app, base_url="http://testserver", follow_redirects=False)


@pytest.fixture
def users(db: Database) -> dict[str, str]:
    """One user per role: role -> email (password PASSWORD)."""
    made = {}
    with db.session() as s:
        for role in Role:
            email = f"{role.value}@desk.test"
            accounts.add_user(s, email=email, role=role.value, password=PASSWORD, actor=SYSTEM)
            made[role.value] = email
    return made


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    """An anonymous browser."""
    with make_client(db) as c:
        yield c


@pytest.fixture
def login(db: Database, users: dict[str, str]) -> Iterator[Callable[[str], TestClient]]:
    """login(role) -> a browser signed in with that role through POST /login."""
    opened: list[TestClient] = []

    def _login(role: str) -> TestClient:
        c = make_client(db)
        c.__enter__()
        opened.append(c)
        response = c.post("/login", data={"email": users[role], "password": PASSWORD})
        assert response.status_code == 303, response.text
        return c

    yield _login
    for c in opened:
        c.__exit__(None, None, None)


@pytest.fixture
def reader(login: Callable[[str], TestClient]) -> TestClient:
    return login("reviewer")
