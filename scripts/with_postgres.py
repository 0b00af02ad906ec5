"""Run a command against a throwaway local PostgreSQL cluster, then remove the cluster.

Usage: python scripts/with_postgres.py -- COMMAND [ARG...]
Sets TELEWYWIAD_TEST_DATABASE_URL for the command. Needs Debian's postgresql (initdb, pg_ctl).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _pg_bin() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if not candidates:
        sys.exit("PostgreSQL server binaries not found: apt-get install -y postgresql")
    return Path(candidates[0]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(args: list[str]) -> list[str]:
    # initdb refuses to run as root; run the server tools as the postgres system user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@contextmanager
def cluster() -> Iterator[str]:
    """A throwaway cluster on a free local port; yields its SQLAlchemy URL, then stops and deletes it."""
    bindir = _pg_bin()
    root = Path(tempfile.mkdtemp(prefix="tw-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, log = root / "data", root / "log"
    port = _free_port()
    try:
        subprocess.run(
            _as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                          "--locale=C.UTF-8"]),
            check=True, stdout=subprocess.DEVNULL,
        )
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        subprocess.run(
            _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o", options, "start"]),
            check=True, stdout=subprocess.DEVNULL,
        )
        version = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True).stdout.strip()
        print(f"Started throwaway PostgreSQL cluster ({version}) on 127.0.0.1:{port}", flush=True)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                stdout=subprocess.DEVNULL,
            )
        shutil.rmtree(root, ignore_errors=True)
        print("Stopped and removed the PostgreSQL cluster.", flush=True)


def main(argv: list[str]) -> int:
    """Start the cluster, run the command, always stop and delete the cluster."""
    if "--" not in argv:
        sys.exit(__doc__)
    command = argv[argv.index("--") + 1 :]
    with cluster() as url:
        return subprocess.call(command, env=dict(os.environ, TELEWYWIAD_TEST_DATABASE_URL=url))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
