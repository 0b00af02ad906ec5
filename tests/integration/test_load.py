"""A test-sized load run: concurrent workers autosave into their own interviews on a live server process.

8 workers, each with its own login session and interview, send 40 saves each (4 questions × 10 rounds, every
value distinct and tagged with the worker) at the same time, against gunicorn with 2 workers × 4 threads.
Afterwards each interview holds exactly its own worker's last values: nothing lost, nothing mixed up, no 5xx.
Runs on SQLite, and on PostgreSQL (a fresh database on the throwaway cluster) in the `-m db` pass.
Loopback only, bounded in count (320 saves) and time.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from app.db import make_engine
from app.interviews.carry import CASE_PREFILL
from tests.conftest import scratch_database
from tests.livehttp import TEXT_KEYS, HttpSession, acknowledged, arrange_workers
from tests.serverproc import ServerProcess, server_env

WORKERS = 8
KEYS = TEXT_KEYS[:4]
ROUNDS = 10
TIME_LIMIT = 120  # seconds for the whole burst, generous for a shared 2-core machine

PG_URL = os.environ.get("TELEWYWIAD_TEST_DATABASE_URL")


def value(worker: int, key: str, round_: int) -> str:
    """A value that names its worker, question and round."""
    return f"pracownik {worker}: {key} runda {round_} — ąę"


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database on the test cluster, dropped afterwards."""
    if not PG_URL:
        pytest.skip("PostgreSQL load run needs TELEWYWIAD_TEST_DATABASE_URL (make test sets it in the -m db pass)")
    with scratch_database(PG_URL, f"tw_load_{secrets.token_hex(4)}") as url:
        yield url


def run_load(tmp_path: Path, database_url: str | None) -> None:
    """Serve, arrange, fire the concurrent burst and check every interview's answers."""
    instance = tmp_path / "instance"
    server = ServerProcess(instance=instance, env=server_env(instance, database_url=database_url))
    url = database_url or f"sqlite:///{instance / 'telewywiad.sqlite3'}"
    result = server.cli("db", "upgrade")
    assert result.returncode == 0, result.stderr
    people = arrange_workers(url, WORKERS)
    server.start()
    try:
        sessions = [HttpSession(server.url) for _ in people]
        interviews: list[int] = []
        for session, (username, case_id) in zip(sessions, people, strict=True):
            session.login(username)
            interviews.append(session.start_interview(case_id))
        assert len(set(interviews)) == WORKERS

        def work(worker: int) -> list[tuple[int, bool]]:
            outcomes = []
            for round_ in range(ROUNDS):
                for key in KEYS:
                    reply = sessions[worker].autosave(interviews[worker], key, value(worker, key, round_))
                    outcomes.append((reply.status, acknowledged(reply)))
            return outcomes

        started = time.monotonic()
        with ThreadPoolExecutor(WORKERS) as pool:
            results = list(pool.map(work, range(WORKERS), timeout=TIME_LIMIT))
        elapsed = time.monotonic() - started
    finally:
        server.stop()

    statuses = [status for outcomes in results for status, _ in outcomes]
    assert len(statuses) == WORKERS * ROUNDS * len(KEYS)
    assert [s for s in statuses if s >= 500] == []
    assert all(ok for outcomes in results for _, ok in outcomes), sorted(set(statuses))
    assert elapsed < TIME_LIMIT

    engine = make_engine(url, autocommit=True)
    with engine.connect() as conn:
        for worker, interview_id in enumerate(interviews):
            stored = dict(conn.execute(
                text("SELECT key, raw FROM answer WHERE interview_id = :i"), {"i": interview_id}).all())
            assert {k: stored.get(k) for k in KEYS} == {k: value(worker, k, ROUNDS - 1) for k in KEYS}
            changes = [raw for key, raw in conn.execute(
                text("SELECT key, raw FROM answer_change WHERE interview_id = :i AND client_id <> :prefill"),
                {"i": interview_id, "prefill": CASE_PREFILL}).all()
                if key in KEYS]  # starting an interview records a few answers of its own, some carried from the case
            assert len(changes) == ROUNDS * len(KEYS)
            assert all(raw.startswith(f"pracownik {worker}:") for raw in changes)
    engine.dispose()


def test_concurrent_autosaves_on_sqlite_lose_and_mix_nothing(tmp_path: Path) -> None:
    """8 workers × 40 saves at once on SQLite (WAL): each interview has exactly its worker's last values."""
    run_load(tmp_path, None)


@pytest.mark.db
def test_concurrent_autosaves_on_postgresql_lose_and_mix_nothing(tmp_path: Path, pg_database: str) -> None:
    """The same run on PostgreSQL, in a database of its own on the throwaway cluster."""
    run_load(tmp_path, pg_database)
