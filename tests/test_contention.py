"""Many writers at once on one database: threads against a live server, plus CLI processes.

Logins, pasted articles, first uses of API tokens, two `claimdesk ingest` and two
`claimdesk sources import` processes all start together on one SQLite file or one
PostgreSQL database. Afterwards no request got a 5xx other than a clear 503, every
accepted write is stored exactly once, and every refused one left nothing behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select

from claimdesk.services import accounts
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.models import ArticleVersion, Source, User
from tests.serving import running_server

PASSWORD = "contention test password"
USERS = 6
PASTES = 6
TOPICS = ["tram", "harbour", "library", "bridge", "school", "market", "stadium", "airport"]


def _article(topic: str, n: int) -> str:
    return (
        f"Riverton council report {n} on the {topic}\n\n"
        f"The Riverton council said on 3 March 2026 that the {topic} project will cost "
        f"{12 + n}.5 million euros, {n + 20} percent more than the 2024 estimate.\n\n"
        f"According to the finance office, {n * 100 + 40} residents wrote to the council "
        f"about the {topic} in February. The council file number is CF-{n:04d}.\n"
    )


def _prepare(url: str) -> list[tuple[str, str]]:
    """Migrate, add users with one API token each; returns (email, token) pairs."""
    db = Database.open(url)
    made = []
    try:
        with db.session(write=True) as session:
            for i in range(USERS):
                user = accounts.add_user(
                    session,
                    email=f"writer{i}@desk.test",
                    role="reviewer",
                    password=PASSWORD,
                    actor=SYSTEM,
                )
                _token, secret = accounts.create_token(
                    session, user=user, name="contention", actor=SYSTEM
                )
                made.append((user.email, secret))
    finally:
        db.close()
    return made


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'contention.db'}"
    url: str = request.getfixturevalue("fresh_postgres")
    return url


def _marker(n: int) -> str:
    return f"CF-{n:04d}."


def test_concurrent_writers_wait_for_each_other(database_url: str, tmp_path: Path) -> None:
    pairs = _prepare(database_url)
    env = {**os.environ, "CLAIMDESK_DATABASE_URL": database_url}
    # two ingest processes whose folders overlap on two of the four articles
    for folder, numbers in (("ingest-a", (0, 1, 2)), ("ingest-b", (1, 2, 3))):
        (tmp_path / folder).mkdir()
        for n in numbers:
            (tmp_path / folder / f"{TOPICS[n]}.txt").write_text(_article(TOPICS[n], n))
    library = tmp_path / "library.jsonl"
    records = [
        {"id": f"lib-{i}", "title": f"Record {i}", "text": _article(TOPICS[i % 8], i + 50)}
        for i in range(300)
    ]
    library.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    paste_numbers = [100 + n for n in range(PASTES - 1)] + [100]  # one text pasted twice

    outcomes: list[tuple[str, int, int, str]] = []  # kind, article number, status, body
    with running_server(env, tmp_path / "server.log") as base:
        start = threading.Barrier(USERS + PASTES + USERS + 1)
        lock = threading.Lock()

        def call(kind: str, n: int, fn: Callable[[httpx.Client], httpx.Response]) -> None:
            with httpx.Client(base_url=base, timeout=120) as client:
                start.wait()
                response = fn(client)
                with lock:
                    outcomes.append((kind, n, response.status_code, response.text[:300]))

        def login(email: str) -> Callable[[httpx.Client], httpx.Response]:
            return lambda c: c.post("/login", data={"email": email, "password": PASSWORD})

        def paste(n: int, email: str) -> Callable[[httpx.Client], httpx.Response]:
            def go(c: httpx.Client) -> httpx.Response:
                # each paste comes from its own signed-in browser; its login is load too
                signed = c.post("/login", data={"email": email, "password": PASSWORD})
                if signed.status_code != 303:
                    return signed
                text = _article(TOPICS[n % 8], n)
                return c.post("/articles/new", data={"text": text, "kind": "text"})

            return go

        def first_use(token: str) -> Callable[[httpx.Client], httpx.Response]:
            return lambda c: c.get("/api/me", headers={"Authorization": f"Bearer {token}"})

        tasks = [("login", i, login(email)) for i, (email, _) in enumerate(pairs)]
        tasks += [("paste", n, paste(n, pairs[i][0])) for i, n in enumerate(paste_numbers)]
        tasks += [("token", i, first_use(token)) for i, (_, token) in enumerate(pairs)]
        commands = [["ingest", str(tmp_path / "ingest-a")], ["ingest", str(tmp_path / "ingest-b")]]
        commands += [["sources", "import", str(library), "--collection", "contention"]] * 2
        with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
            futures = [pool.submit(call, kind, n, fn) for kind, n, fn in tasks]
            processes = [
                subprocess.Popen(
                    [sys.executable, "-m", "claimdesk", *command],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
                for command in commands
            ]
            start.wait()
            for future in futures:
                future.result()
            finished = [p.communicate(timeout=300) for p in processes]

    expected = {"login": {303}, "paste": {303}, "token": {200}}
    for kind, n, status, body in outcomes:
        # a write that could not wait any longer is a clear 503, never a 500
        assert status in expected[kind] | {503}, (kind, n, status, body)
    for kind in expected:  # the load is well inside the busy timeout: writers mostly wait
        assert any(k == kind and s in expected[kind] for k, _, s, _ in outcomes), kind
    for process, (_out, err) in zip(processes, finished, strict=True):
        assert process.returncode == 0, err.decode()

    db = Database.open(database_url)
    try:
        with db.session() as session:
            texts = list(session.exec(select(ArticleVersion.text)))

            def stored(n: int) -> int:
                return sum(1 for text in texts if _marker(n) in text)

            for n in set(paste_numbers):
                accepted = any(k == "paste" and m == n and s == 303 for k, m, s, _ in outcomes)
                assert stored(n) == (1 if accepted else 0), f"pasted article {n}"
            for n in range(4):
                assert stored(n) == 1, f"ingested article {n}"
            sources = session.exec(
                select(func.count(col(Source.id))).where(Source.collection == "contention")
            ).one()
            assert sources == len(records)
            assert session.exec(select(func.count(col(User.id)))).one() == USERS
    finally:
        db.close()
