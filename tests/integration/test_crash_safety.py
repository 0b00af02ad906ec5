"""Crash safety: SIGKILL the server in the middle of a burst of autosaves; no acknowledged answer is lost.

Durability choice (app/db.py): SQLite runs in WAL mode with `synchronous=FULL`. In WAL mode a transaction is
durable once its commit record is in the WAL file; FULL makes SQLite fsync the WAL at every commit, so the
commit has reached the disk before the request returns "Zapisano" — a killed process (or a power cut) cannot
take back an acknowledged answer. NORMAL would fsync only at checkpoints: safe against a process kill but not
against a power cut, which for answers given once on the phone is not good enough.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from app.db import make_engine
from tests.livehttp import TEXT_KEYS, HttpSession, acknowledged, arrange_workers
from tests.serverproc import ServerProcess, server_env

THREADS = 3
SAVES_PER_KEY = 40  # bounded: at most 6 keys × 40 = 240 requests
KILL_AFTER_ACKS = 45


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A fresh SQLite instance served by gunicorn with 2 workers."""
    instance = tmp_path / "instance"
    process = ServerProcess(instance=instance, env=server_env(instance))
    result = process.cli("db", "upgrade")
    assert result.returncode == 0, result.stderr
    yield process
    process.stop()


def test_sigkill_during_autosave_burst_loses_no_acknowledged_answer(server: ServerProcess) -> None:
    """Saves run from a thread pool; the server's whole process group is SIGKILLed mid-burst and started again:
    every answer acknowledged with "Zapisano" is stored with the acknowledged value (or a later one sent for the
    same question), and every acknowledged value is in the answer history."""
    database_url = f"sqlite:///{server.instance / 'telewywiad.sqlite3'}"
    [(username, case_id)] = arrange_workers(database_url, 1)
    server.start()
    session = HttpSession(server.url)
    session.login(username)
    interview_id = session.start_interview(case_id)

    lock = threading.Lock()
    acked: dict[str, list[int]] = {key: [] for key in TEXT_KEYS}  # per key, the indexes acknowledged
    sent: dict[str, int] = dict.fromkeys(TEXT_KEYS, -1)  # per key, the highest index sent
    statuses: list[int] = []
    ack_count = threading.Semaphore(0)

    def value(key: str, index: int) -> str:
        return f"{key} wartość nr {index} — zażółć"

    def burst(keys: tuple[str, ...]) -> None:
        for index in range(SAVES_PER_KEY):
            for key in keys:
                with lock:
                    sent[key] = index
                try:
                    reply = session.autosave(interview_id, key, value(key, index), timeout=10)
                except OSError:
                    return  # the server is gone
                with lock:
                    statuses.append(reply.status)
                    if acknowledged(reply):
                        acked[key].append(index)
                        ack_count.release()

    shares = [TEXT_KEYS[i::THREADS] for i in range(THREADS)]
    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(burst, keys) for keys in shares]
        deadline = time.monotonic() + 60
        for _ in range(KILL_AFTER_ACKS):
            assert ack_count.acquire(timeout=max(0.1, deadline - time.monotonic())), "autosaves stalled"
        server.kill()
        for future in futures:
            future.result(timeout=60)

    total = sum(len(v) for v in acked.values())
    assert total >= KILL_AFTER_ACKS
    assert total < THREADS * 2 * SAVES_PER_KEY, "the kill came after the burst ended; it proved nothing"
    assert all(status < 500 for status in statuses), statuses

    server.start()
    session = HttpSession(server.url)
    session.login(username)
    page = session.request("GET", f"/interviews/{interview_id}?section=segment_a")
    assert page.status == 200

    engine = make_engine(database_url, autocommit=True)
    with engine.connect() as conn:
        stored = dict(conn.execute(
            text("SELECT key, raw FROM answer WHERE interview_id = :i"), {"i": interview_id}).all())
        history = set(conn.execute(
            text("SELECT key, raw FROM answer_change WHERE interview_id = :i"), {"i": interview_id}).all())
    engine.dispose()
    for key, indexes in acked.items():
        if not indexes:
            continue
        last = indexes[-1]
        possible = {value(key, i) for i in range(last, sent[key] + 1)}
        assert stored.get(key) in possible, (key, stored.get(key), last)
        for index in indexes:
            assert (key, value(key, index)) in history, (key, index)
