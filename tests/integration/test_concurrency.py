"""Concurrent registrations and first saves against gunicorn with 4 workers: 0 × 5xx, no number twice, nothing lost.

Before: case numbers were "highest + 1" and the first save of an answer was "read, then insert", so two requests at
the same moment hit the unique constraints (HTTP 500). Each round fires 8 registrations at once (8 workers of one
office) and 8 first saves of the same answer at once (8 sessions of the interview's worker), released together by a
barrier. Runs on SQLite, and on PostgreSQL (a database of its own on the throwaway cluster) in the `-m db` pass.
Loopback only, bounded in count and time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from app.clock import local_today
from app.db import make_engine
from tests.integration.test_load import pg_database  # noqa: F401 - fixture: a fresh PostgreSQL database
from tests.livehttp import TEXT_KEYS, HttpSession, Reply, acknowledged, arrange_workers
from tests.serverproc import ServerProcess, server_env

AT_ONCE = 8
ROUNDS = 4
TIME_LIMIT = 180


def _fire(calls: list[Callable[[], Reply]]) -> list[Reply]:
    """Run the calls in threads released at the same moment."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Reply]) -> Reply:
        barrier.wait(timeout=60)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls, timeout=TIME_LIMIT))


def _registration(session: HttpSession, round_: int, number: int) -> Callable[[], Reply]:
    fields = {
        "csrf_token": session.csrf, "applicant_name": f"Wnioskodawca {round_}-{number} Żółć", "pesel": "",
        "phone_1": f"601 {round_:03d} {number:03d}", "phone_2": "", "phone_3": "", "email": "", "address": "",
        "channel": "post", "channel_detail": "", "received_on": local_today().isoformat(), "requested": "food",
        "request_note": "",
    }
    return lambda: session.request("POST", "/cases/new", fields)


def _first_save(session: HttpSession, interview_id: int, round_: int, number: int) -> Callable[[], Reply]:
    key = TEXT_KEYS[round_]
    return lambda: session.autosave(interview_id, key, f"urządzenie {number}, runda {round_}")


def run_rounds(tmp_path: Path, database_url: str | None) -> None:
    """Serve with 4 workers, fire the rounds, check every reply and the database."""
    instance = tmp_path / "instance"
    server = ServerProcess(instance=instance, env=server_env(instance, database_url=database_url), workers=4)
    url = database_url or f"sqlite:///{instance / 'telewywiad.sqlite3'}"
    result = server.cli("db", "upgrade")
    assert result.returncode == 0, result.stderr
    people = arrange_workers(url, AT_ONCE)
    server.start()
    replies: list[Reply] = []
    try:
        registrars = [HttpSession(server.url) for _ in people]
        for session, (username, _) in zip(registrars, people, strict=True):
            session.login(username)
        savers = [HttpSession(server.url) for _ in range(AT_ONCE)]
        for session in savers:
            session.login(people[0][0])
        interview_id = savers[0].start_interview(people[0][1])
        for session in savers[1:]:
            session.token_from(f"/interviews/{interview_id}")
        for round_ in range(ROUNDS):
            for session in registrars:
                session.token_from("/cases/new")
            registered = _fire([_registration(s, round_, n) for n, s in enumerate(registrars)])
            assert all(r.status == 200 and "/cases/" in r.url and "/new" not in r.url for r in registered), \
                sorted({(r.status, r.url.rsplit("/", 2)[-2]) for r in registered})
            saved = _fire([_first_save(s, interview_id, round_, n) for n, s in enumerate(savers)])
            assert all(acknowledged(r) for r in saved), sorted({r.status for r in saved})
            replies += registered + saved
    finally:
        server.stop()
    assert [r.status for r in replies if r.status >= 500] == []
    assert len(replies) == ROUNDS * AT_ONCE * 2

    engine = make_engine(url, autocommit=True)
    with engine.connect() as conn:
        references = [row[0] for row in conn.execute(
            text("SELECT reference FROM case_file WHERE applicant_name LIKE 'Wnioskodawca %-%'"))]
        assert len(references) == ROUNDS * AT_ONCE  # every registration stored
        assert len(set(references)) == len(references)  # no number given twice
        year = local_today().year
        numbers = sorted(int(r.rsplit("/", 1)[1]) for r in references)
        assert all(r.startswith(f"RWS/{year}/") for r in references)
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # and none skipped
        for round_ in range(ROUNDS):
            key = TEXT_KEYS[round_]
            rows = conn.execute(text("SELECT raw, revision FROM answer WHERE interview_id = :i AND key = :k"),
                                {"i": interview_id, "k": key}).all()
            assert len(rows) == 1
            changes = conn.execute(
                text("SELECT raw, revision FROM answer_change WHERE interview_id = :i AND key = :k ORDER BY revision"),
                {"i": interview_id, "k": key}).all()
            # A segment A answer (full_name) already holds the value carried from the case as revision 1.
            saves = [c for c in changes if c.raw.startswith("urządzenie ")]
            first = saves[0].revision
            assert [c.revision for c in changes] == list(range(1, first + AT_ONCE))  # each save counted once, in order
            assert {c.raw for c in saves} == {f"urządzenie {n}, runda {round_}" for n in range(AT_ONCE)}
            assert (rows[0].raw, rows[0].revision) == (saves[-1].raw, first + AT_ONCE - 1)  # the last save wins
    engine.dispose()


def test_concurrent_registrations_and_first_saves_on_sqlite(tmp_path: Path) -> None:
    """4 rounds × (8 registrations + 8 first saves of one answer) at once on SQLite: no 5xx, nothing lost."""
    run_rounds(tmp_path, None)


@pytest.mark.db
def test_concurrent_registrations_and_first_saves_on_postgresql(tmp_path: Path, pg_database: str) -> None:  # noqa: F811
    """The same rounds on PostgreSQL, where the old code failed with unique-key errors (HTTP 500)."""
    run_rounds(tmp_path, pg_database)
