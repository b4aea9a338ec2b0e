from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from claimdesk.config import Settings
from claimdesk.store.database import Database
from claimdesk.web.app import create_app


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=str(db.engine.url)), database=db)
    with TestClient(app) as c:
        yield c
