"""Browser tests: a real uvicorn server on a free port, driven by Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    def __init__(self, base_url: str, env: dict[str, str]) -> None:
        self.base_url = base_url
        self.env = env
        self.accounts: dict[str, tuple[str, str]] = {}  # role -> (email, password)

    def claimdesk(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run a claimdesk command against the server's database."""
        return subprocess.run(
            [sys.executable, "-m", "claimdesk", *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Start `claimdesk serve` on a fresh SQLite file with the demo loaded."""
    workdir = tmp_path_factory.mktemp("live")
    env = {**os.environ, "CLAIMDESK_DATABASE_URL": f"sqlite:///{workdir / 'e2e.db'}"}
    port = free_port()
    server = LiveServer(f"http://127.0.0.1:{port}", env)
    demo = server.claimdesk("demo")
    for line in demo.stdout.splitlines():
        email, password = line.split(" ")
        server.accounts[email.split("@")[0]] = (email, password)
    assert set(server.accounts) == {"admin", "editor", "reviewer", "researcher"}, demo.stdout
    log = (workdir / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "claimdesk", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(server.base_url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((workdir / "server.log").read_text())
            time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def sign_in(page: Page, server: LiveServer, role: str) -> None:
    """Sign in through the login form, as a person would."""
    email, password = server.accounts[role]
    page.goto(server.base_url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server.base_url + "/")


@pytest.fixture
def shots(output_path: str) -> Path:
    """This test's output folder (pytest-playwright's), for screenshots."""
    path = Path(output_path)
    path.mkdir(parents=True, exist_ok=True)
    return path
