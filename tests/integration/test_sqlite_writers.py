"""SQLite writers queue for their turn (a lock per process, a file lock between processes) instead of polling.

The turn is taken before BEGIN IMMEDIATE and given back right after COMMIT or ROLLBACK; read transactions never
take it. Checked through the lock file itself (a non-blocking flock from outside), not with timings.
"""

from __future__ import annotations

import fcntl
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from app.db import READ_OPTION, make_engine


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "writers.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter VALUES (1, 0)"))
    engine.dispose()
    return path


def _turn_is_free(database: Path) -> bool:
    """Whether another process could take the writer turn right now."""
    fd = os.open(f"{database}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing gives back a lock taken here
    return True


def test_a_write_transaction_holds_the_turn_until_commit_or_rollback(database: Path) -> None:
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE counter SET n = n + 1"))
            assert not _turn_is_free(database)
        assert _turn_is_free(database)
        with engine.connect() as conn:
            conn.begin()
            conn.execute(text("UPDATE counter SET n = n + 1"))
            assert not _turn_is_free(database)
            conn.rollback()
            assert _turn_is_free(database)
        with engine.connect() as conn:  # returned to the pool mid-transaction: the pool's reset rolls back
            conn.begin()
            conn.execute(text("SELECT n FROM counter"))
        assert _turn_is_free(database)
    finally:
        engine.dispose()


def test_read_transactions_never_take_the_turn(database: Path) -> None:
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.execution_options(**{READ_OPTION: True}).connect() as conn, conn.begin():
            assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 0
            assert _turn_is_free(database)
    finally:
        engine.dispose()


def _increment(engine: Engine, times: int) -> None:
    for _ in range(times):
        with engine.begin() as conn:  # read, then write: safe because the write lock was taken up front
            n = conn.execute(text("SELECT n FROM counter")).scalar_one()
            conn.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})


def test_many_writers_of_two_processes_all_get_their_turn(database: Path) -> None:
    """Two engines (each as its own process would have: its own per-process lock) × 4 threads, read-modify-write:
    no 'database is locked', no lost update."""
    engines = [make_engine(f"sqlite:///{database}") for _ in range(2)]
    try:
        start = threading.Barrier(8)

        def worker(index: int) -> None:
            start.wait(timeout=30)
            _increment(engines[index % 2], 25)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(worker, range(8), timeout=120))
        with engines[0].connect() as conn:
            assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 8 * 25
    finally:
        for engine in engines:
            engine.dispose()
