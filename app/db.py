"""Database engine, SQLite pragmas, and one session per request committed at the request boundary."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import Engine, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, create_engine, select

ENGINE_KEY = "telewywiad.engine"
M = TypeVar("M")
V = TypeVar("V", bound=Callable[..., Any])


WRITE_OPTION = "telewywiad_write"
READ_OPTION = "telewywiad_read"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_FIRST_KEY = "telewywiad_read_first"
WRITER_WAIT_S = 15.0  # how long a writer queues for its turn before the request fails (SQLite's busy_timeout too)


class QueuedWriterConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions queue for their turn instead of polling for the lock.

    SQLite lets a blocked writer sleep and retry (its busy handler backs off up to 100 ms a try), so under load a
    writer sleeps on long after the lock was freed. Writers here wait in line: threads of one process on a
    `threading.Lock` (woken the moment it is released), processes on an exclusive `flock` of a lock file beside the
    database (woken by the kernel). The turn is taken before `BEGIN IMMEDIATE` and given back right after COMMIT or
    ROLLBACK, so SQLite's own lock is free whenever a writer gets its turn; the busy handler stays only for other
    programs (the CLI, a backup). Threads give up after WRITER_WAIT_S, like the busy timeout did; the one thread per
    process that waits on the file lock has no time limit (the kernel frees the lock when its holder's process
    ends; a holder that never ends its transaction blocks every writer anyway, as SQLite's own lock would).
    """

    gate: threading.Lock | None = None
    lock_fd: int | None = None
    holding = False

    def take_turn(self) -> None:
        """Wait for this process's and then the database's writer turn."""
        if self.gate is not None and not self.gate.acquire(timeout=WRITER_WAIT_S):
            raise sqlite3.OperationalError("database is locked (no writer turn)")
        try:
            if self.lock_fd is not None:
                fcntl.flock(self.lock_fd, fcntl.LOCK_EX)
        except BaseException:
            if self.gate is not None:
                self.gate.release()
            raise
        self.holding = True

    def give_turn(self) -> None:
        """Let the next writer in (no-op when this connection holds no turn)."""
        if self.holding:
            self.holding = False
            if self.lock_fd is not None:
                fcntl.flock(self.lock_fd, fcntl.LOCK_UN)
            if self.gate is not None:
                self.gate.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.give_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.give_turn()

    def close(self) -> None:
        try:
            self.give_turn()
            if self.lock_fd is not None:
                os.close(self.lock_fd)
                self.lock_fd = None
        finally:
            super().close()


def make_engine(url: str, *, autocommit: bool = False) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, FULL sync and write locks taken up front.

    `autocommit` (SQLite only) makes every statement its own transaction: for test fixtures that
    inspect the database while the app serves requests.
    """
    if url.startswith("sqlite"):
        # A small pool per process: opening a SQLite connection re-runs the pragmas, and closing the last one
        # checkpoints the WAL (an fsync), which NullPool did twice on every request.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": WRITER_WAIT_S,
                                                  "factory": QueuedWriterConnection},
                               poolclass=QueuePool, pool_size=5, max_overflow=10, pool_pre_ping=False)
        _configure_sqlite(engine, autocommit=autocommit)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _configure_sqlite(engine: Engine, *, autocommit: bool) -> None:
    """Durability and concurrency settings for SQLite (documented in docs/security.md)."""

    gate = threading.Lock()  # one writer turn per process and database
    database = engine.url.database or ""
    lock_path = None if database in ("", ":memory:") or database.startswith("file:") else f"{database}-writer.lock"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, QueuedWriterConnection) and not autocommit:
            dbapi_connection.gate = gate
            if lock_path is not None:
                dbapi_connection.lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        # Let SQLAlchemy's "begin" event decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged answer survives a process kill and a power cut.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(WRITER_WAIT_S * 1000)}")
        cursor.close()

    if autocommit:
        return

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Requests that may write take the write lock up front (IMMEDIATE), so a read-then-write
        # transaction waits for the lock instead of failing with SQLITE_BUSY halfway through.
        # Page views only read, and in WAL mode readers never block or wait for writers.
        options = conn.get_execution_options()
        reading = options.get(READ_OPTION) or (
            has_request_context()
            and (request.method in READ_METHODS or g.get(READ_FIRST_KEY, False))
            and not options.get(WRITE_OPTION)
        )
        if reading:
            conn.exec_driver_sql("BEGIN")
            return
        queued = conn.connection.dbapi_connection
        if not isinstance(queued, QueuedWriterConnection):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        queued.take_turn()
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            queued.give_turn()
            raise


def init_app(app: Flask, url: str) -> Engine:
    """Attach an engine to the app and close the request session at teardown."""
    engine = make_engine(url)
    app.extensions[ENGINE_KEY] = engine
    app.teardown_appcontext(_close_session)
    return engine


def get_engine() -> Engine:
    """The current application's engine."""
    engine: Engine = current_app.extensions[ENGINE_KEY]
    return engine


def get_session() -> Session:
    """The session of the current request (or CLI command), created on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    session: Session = g.db_session
    return session


def commit_request_session() -> None:
    """Commit what the request did; called from after_request for non-5xx responses."""
    session: Session | None = g.get("db_session")
    if session is not None:
        session.commit()


def _close_session(exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None) if has_app_context() else None
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()


def reads_first(view: V) -> V:
    """A POST view that reads everything it needs before it writes (see `start_writing`).

    On SQLite its first transaction is a reader's (plain BEGIN: no writer turn, never waits), so loading the user,
    the record and whatever is computed from them runs beside other requests' writes; the view calls
    `start_writing` when it is ready to write, and only the few statements of the write then hold the turn.
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        g.setdefault(READ_FIRST_KEY, True)
        return view(*args, **kwargs)

    return cast(V, wrapped)


def start_writing(session: Session) -> None:
    """End the request's reading transaction (if any); its next one takes the writer turn (BEGIN IMMEDIATE).

    What was read stays loaded (expire_on_commit=False) but may be stale by then: the writer checks what it relies
    on under the lock (e.g. a version column in a conditional UPDATE).
    """
    if g.get(READ_FIRST_KEY, False):
        setattr(g, READ_FIRST_KEY, False)
        session.commit()


def stop_writing(session: Session) -> None:
    """Commit what a `reads_first` view wrote (the writer turn is given back); what it reads next reads as a reader."""
    session.commit()
    setattr(g, READ_FIRST_KEY, True)


@contextmanager
def standalone_session(engine: Engine | None = None) -> Iterator[Session]:
    """A short write transaction beside the request's own (web sessions, audit of page views)."""
    bind = (engine or get_engine()).execution_options(**{WRITE_OPTION: True})
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def reading_session(engine: Engine | None = None) -> Iterator[Session]:
    """A short read-only transaction beside the request's own; on SQLite it never waits for the write lock."""
    bind = (engine or get_engine()).execution_options(**{READ_OPTION: True})
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()


def dialect_insert(session: Session, model: Any) -> Any:
    """INSERT for the session's database with ON CONFLICT support (PostgreSQL and SQLite share the API).

    For allocating and first writes without "read, then insert" races: `.on_conflict_do_nothing(...)` or
    `.on_conflict_do_update(...)`, optionally `.returning(...)`.
    """
    table: Table = model.__table__ if hasattr(model, "__table__") else model
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def lock_row(session: Session, model: Any, ident: Any) -> Any:
    """Re-read a row FOR UPDATE (a PostgreSQL row lock; SQLite serialises writers anyway), refreshing loaded state.

    Two requests acting on the same record at once (a double click, two devices) then run one after the other, and
    the second sees what the first did, instead of both inserting the same unique row.
    """
    key = next(iter(model.__table__.primary_key.columns))
    return session.exec(
        select(model).where(key == ident).with_for_update().execution_options(populate_existing=True)
    ).first()


def office_row(session: Session, model: type[M], row_id: int, office_id: int) -> M:
    """The row of `model` with this id when it belongs to the office; LookupError otherwise (routes answer 404)."""
    row = session.get(model, row_id)
    if row is None or getattr(row, "office_id", None) != office_id:
        raise LookupError(row_id)
    return row
