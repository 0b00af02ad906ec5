"""Consistent online backups: SQLite's backup API, or pg_dump/pg_restore for PostgreSQL."""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess  # nosec B404  # reason: only pg_dump/pg_restore with fixed argv, see below
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why."""


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("only file-based SQLite databases can be backed up")
    return Path(database)


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise BackupError(f"{name} not found: install Debian's postgresql-client")
    return found


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """Connection URL without the password, and the environment carrying it (not visible in `ps`)."""
    url = make_url(engine.url.render_as_string(hide_password=False)).set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(password=None).render_as_string(hide_password=False), env


def backup(engine: Engine, out: Path) -> Path:
    """Write a consistent copy of the live database to `out` while the app keeps running."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(_sqlite_path(engine))
        target = sqlite3.connect(out)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        out.chmod(0o600)
        return out
    if engine.dialect.name == "postgresql":
        dsn, env = _libpq(engine)
        result = subprocess.run(  # noqa: S603  # nosec B603  # reason: fixed argv, no shell; the path is the operator's own argument
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(out), "--dbname", dsn],
            capture_output=True, text=True, check=False, env=env,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")
        out.chmod(0o600)
        return out
    raise BackupError(f"unsupported database: {engine.dialect.name}")


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's contents with a backup made by `backup` for the same kind of database."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    head = source.read_bytes()[:16]
    if engine.dialect.name == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} is not an SQLite backup")
        engine.dispose()
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(_sqlite_path(engine))
        try:
            check = backup_db.execute("PRAGMA integrity_check").fetchone()
            if not check or check[0] != "ok":
                raise BackupError(f"{source} fails SQLite's integrity check")
            with live:
                backup_db.backup(live)
        finally:
            live.close()
            backup_db.close()
        return
    if engine.dialect.name == "postgresql":
        if not head.startswith(PGDUMP_MAGIC):
            raise BackupError(f"{source} is not a pg_dump custom-format backup")
        engine.dispose()
        dsn, env = _libpq(engine)
        result = subprocess.run(  # noqa: S603  # nosec B603  # reason: fixed argv, no shell; the path is the operator's own argument
            [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "--dbname", dsn, str(source)],
            capture_output=True, text=True, check=False, env=env,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")
        return
    raise BackupError(f"unsupported database: {engine.dialect.name}")
