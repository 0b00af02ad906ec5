"""Two (here eight) workers book the last seat of a desk at the same moment against a real gunicorn server:
exactly one booking wins, every other gets the Polish refusal with the typed data kept, no 5xx; on SQLite and on
PostgreSQL (a fresh database on the throwaway cluster in the `-m db` pass). Loopback only, bounded in count."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.auth.models import Office
from app.db import make_engine
from tests.integration.appointments.conftest import next_working_day, setup_visits, slot
from tests.integration.test_load import pg_database  # noqa: F401 - the fresh-database fixture of the load test
from tests.livehttp import HttpSession, Reply, arrange_workers
from tests.serverproc import ServerProcess, server_env

WORKERS = 8
REFUSAL = "został właśnie zajęty"


def race(tmp_path: Path, database_url: str | None) -> None:
    """Serve, arrange an office with one desk free at 10:00, fire every booking at once, check the outcome."""
    instance = tmp_path / "instance"
    server = ServerProcess(instance=instance, env=server_env(instance, database_url=database_url))
    url = database_url or f"sqlite:///{instance / 'telewywiad.sqlite3'}"
    result = server.cli("db", "upgrade")
    assert result.returncode == 0, result.stderr
    people = arrange_workers(url, WORKERS)
    engine = make_engine(url, autocommit=True)
    with Session(engine, expire_on_commit=False) as db:
        office = db.exec(select(Office)).one()
        visit_office = setup_visits(db, office)
    engine.dispose()
    desk, reason = visit_office.desks[0], visit_office.documents
    chosen = slot(desk, next_working_day(), 10)
    server.start()
    try:
        sessions = [HttpSession(server.url) for _ in people]
        for session, (username, case_id) in zip(sessions, people, strict=True):
            session.login(username)
            session.token_from(f"/cases/{case_id}/appointments/new")
        barrier = threading.Barrier(WORKERS)

        def book(worker: int) -> Reply:
            _username, case_id = people[worker]
            fields = {"csrf_token": sessions[worker].csrf, "person_name": f"Osoba Źdźbło {worker}",
                      "phone": f"60010020{worker}", "email": f"osoba{worker}@example.org",
                      "reason_id": str(reason.id), "kind": "in_person", "slot": chosen}
            barrier.wait(timeout=30)
            return sessions[worker].request("POST", f"/cases/{case_id}/appointments/new", fields, timeout=60)

        with ThreadPoolExecutor(WORKERS) as pool:
            replies = list(pool.map(book, range(WORKERS), timeout=120))
    finally:
        server.stop()

    assert [r.status for r in replies if r.status >= 500] == []
    winners = [n for n, r in enumerate(replies) if r.status == 200 and "/appointments/" in r.url]
    losers = [n for n, r in enumerate(replies) if r.status == 422]
    assert len(winners) == 1, [(r.status, r.url) for r in replies]
    assert len(losers) == WORKERS - 1
    for n in losers:
        assert REFUSAL in replies[n].body
        assert f'value="Osoba Źdźbło {n}"' in replies[n].body and f'value="osoba{n}@example.org"' in replies[n].body
    check = make_engine(url, autocommit=True)
    with check.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM appointment")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM visit_desk_occupancy")).scalar_one() == 2
        name = conn.execute(text("SELECT person_name FROM appointment")).scalar_one()
    check.dispose()
    assert name == f"Osoba Źdźbło {winners[0]}"


def test_last_seat_race_on_sqlite_has_one_winner(tmp_path: Path) -> None:
    """SQLite (WAL, BEGIN IMMEDIATE): one booking, seven clear refusals, no 5xx."""
    race(tmp_path, None)


@pytest.mark.db
def test_last_seat_race_on_postgresql_has_one_winner(tmp_path: Path, pg_database: str) -> None:  # noqa: F811
    """PostgreSQL: the unique key decides; one booking, seven clear refusals, no 5xx."""
    race(tmp_path, pg_database)
