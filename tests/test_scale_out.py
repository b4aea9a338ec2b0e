"""Several app workers on one PostgreSQL database share everything a session needs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from claimdesk.store.engine import make_engine


@pytest.fixture
def fresh_postgres(postgres_server_url: str) -> Iterator[str]:
    admin = make_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    name = f"claimdesk_workers_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_two_workers_share_sessions_and_the_signing_key(
    fresh_postgres: str, tmp_path: Path
) -> None:
    env = {**os.environ, "CLAIMDESK_DATABASE_URL": fresh_postgres}
    env.pop("CLAIMDESK_SECRET_KEY", None)
    demo = subprocess.run(
        [sys.executable, "-m", "claimdesk", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    email, password = next(
        line.split() for line in demo.stdout.splitlines() if line.startswith("editor@")
    )
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "claimdesk", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, (
                tmp_path / "server.log"
            ).read_text()
            time.sleep(0.2)
        time.sleep(1.0)  # let the second worker finish starting
        login = httpx.post(base + "/login", data={"email": email, "password": password})
        assert login.status_code == 303
        # a new connection per request, so that both workers answer some of them
        statuses = [
            httpx.get(
                base + "/", cookies=login.cookies, headers={"Connection": "close"}
            ).status_code
            for _ in range(40)
        ]
        assert statuses == [200] * 40
        pids = {
            line.split("[")[1].split("]")[0]
            for line in (tmp_path / "server.log").read_text().splitlines()
            if "Started server process" in line
        }
        assert len(pids) == 2
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
