"""A real `telewywiad serve` process (gunicorn) for tests that need one: browser, crash and load tests.

Loopback only. The server runs in its own process group, so a test can SIGKILL the master and its workers at once
(as a power cut or an OOM kill would) and start it again on the same database.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(instance: Path, *, database_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a test server: our TELEWYWIAD_* settings only, never the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEWYWIAD_") and k != "DATABASE_URL"}
    env.update(
        TELEWYWIAD_ENV="test",
        TELEWYWIAD_SECRET_KEY=secrets.token_urlsafe(48),
        TELEWYWIAD_INSTANCE_PATH=str(instance),
        TELEWYWIAD_SESSION_COOKIE_SECURE="false",
        TELEWYWIAD_TEST_CHEAP_HASHING="true",
    )
    if database_url:
        env["TELEWYWIAD_DATABASE_URL"] = database_url
    env.update(extra)
    return env


@dataclass
class ServerProcess:
    """`telewywiad serve` on a free loopback port; `start`, `stop` (SIGTERM) and `kill` (SIGKILL of the group)."""

    instance: Path
    env: dict[str, str]
    workers: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    _log: IO[str] | None = None

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        """Where the server's output goes (appended across restarts)."""
        return self.instance / "server.log"

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run a `telewywiad` command against the same settings and database."""
        return subprocess.run(
            [str(BIN / "telewywiad"), *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def start(self, *, timeout: float = 30) -> None:
        """Start gunicorn and wait until /healthz answers; raise with the server log if it does not."""
        self.instance.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [str(BIN / "telewywiad"), "serve", "--port", str(self.port), "--workers", str(self.workers)],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() reaches the workers too
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:  # noqa: S310 - loopback only
                    if response.status == 200:
                        return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(self.log_path.read_text()) from None
                time.sleep(0.2)

    def stop(self) -> None:
        """Ask gunicorn to shut down (SIGTERM), forcefully after 15 s."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()

    def kill(self) -> None:
        """SIGKILL the whole process group (master and workers) without any chance to clean up."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
            # Workers are reparented when the master dies; wait until none of the group is left.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    os.killpg(self.process.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
