"""Serving setups: several workers on one PostgreSQL database, and a trusted TLS proxy."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx

from tests.serving import claimdesk, running_server


def _demo_account(env: dict[str, str], role: str) -> tuple[str, str]:
    demo = claimdesk(env, "demo")
    email, password = next(
        line.split() for line in demo.stdout.splitlines() if line.startswith(f"{role}@")
    )
    return email, password


def test_two_workers_share_sessions_and_the_signing_key(
    fresh_postgres: str, tmp_path: Path
) -> None:
    env = {**os.environ, "CLAIMDESK_DATABASE_URL": fresh_postgres}
    env.pop("CLAIMDESK_SECRET_KEY", None)
    email, password = _demo_account(env, "editor")
    log = tmp_path / "server.log"
    with running_server(env, log, "--workers", "2") as base:
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
            for line in log.read_text().splitlines()
            if "Started server process" in line
        }
        assert len(pids) == 2


def _login_cookie_header(base: str, email: str, password: str) -> str:
    response = httpx.post(
        base + "/login",
        data={"email": email, "password": password},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
    )
    assert response.status_code == 303, response.text
    return response.headers["set-cookie"]


def test_a_trusted_tls_proxy_makes_cookies_secure(tmp_path: Path) -> None:
    env = {**os.environ, "CLAIMDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'proxy.db'}"}
    email, password = _demo_account(env, "reviewer")
    with running_server(env, tmp_path / "trusted.log", "--forwarded-allow-ips", "127.0.0.1") as b:
        assert "secure" in _login_cookie_header(b, email, password).lower()
    # the same headers from a proxy that is not named are ignored
    with running_server(env, tmp_path / "untrusted.log", "--forwarded-allow-ips", "192.0.2.1") as b:
        assert "secure" not in _login_cookie_header(b, email, password).lower()
