"""Browser tests: Debian's Chromium driven by Playwright at a phone viewport, against a real server process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.serverproc import ServerProcess, server_env

CHROMIUM = os.environ.get("TELEWYWIAD_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DEMO_PASSWORD = "Demo-Hasło-Przeglądarki-1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything in this folder is a browser test."""
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    """A running telewywiad (gunicorn, 2 workers) with the demo data seeded."""

    url: str
    database_url: str
    env: dict[str, str]
    password: str = DEMO_PASSWORD

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a `telewywiad` command against the same database."""
        return subprocess.run(
            [str(Path(sys.executable).parent / "telewywiad"), *args], env=self.env, capture_output=True, text=True, timeout=120
        )


def serve_demo(tmp_path_factory: pytest.TempPathFactory, name: str, **settings: str) -> Iterator[LiveServer]:
    """Upgrade, seed and serve a fresh SQLite database (extra TELEWYWIAD_* `settings`); stop it at the end."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs it (apt-get install chromium)")
    instance = tmp_path_factory.mktemp(name)
    process = ServerProcess(
        instance=instance, env=server_env(instance, TELEWYWIAD_DEMO_PASSWORD=DEMO_PASSWORD, **settings)
    )
    server = LiveServer(
        url=process.url, database_url=f"sqlite:///{instance / 'telewywiad.sqlite3'}", env=process.env
    )
    for args in (("db", "upgrade"), ("demo", "seed")):
        result = server.cli(*args)
        assert result.returncode == 0, result.stderr
    process.start()
    yield server
    process.stop()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo office served for the whole browser run."""
    yield from serve_demo(tmp_path_factory, "live-instance")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium with the flags this sandbox needs (no downloads, no background network)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A phone: 390×844, touch, Polish locale."""
    return {
        **browser_context_args,
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "locale": "pl-PL",
        "timezone_id": "Europe/Warsaw",
    }


def screenshot(page: Any, name: str) -> Path:
    """Keep a screenshot for people to look at (test-artifacts/, git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
