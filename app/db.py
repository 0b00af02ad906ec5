"""Database engine, SQLite pragmas, and one session per request committed at the request boundary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import Engine, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, create_engine, select

ENGINE_KEY = "telewywiad.engine"
M = TypeVar("M")


WRITE_OPTION = "telewywiad_write"
READ_OPTION = "telewywiad_read"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def make_engine(url: str, *, autocommit: bool = False) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, FULL sync and write locks taken up front.

    `autocommit` (SQLite only) makes every statement its own transaction: for test fixtures that
    inspect the database while the app serves requests.
    """
    if url.startswith("sqlite"):
        # A small pool per process: opening a SQLite connection re-runs the pragmas, and closing the last one
        # checkpoints the WAL (an fsync), which NullPool did twice on every request.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15},
                               poolclass=QueuePool, pool_size=5, max_overflow=10, pool_pre_ping=False)
        _configure_sqlite(engine, autocommit=autocommit)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _configure_sqlite(engine: Engine, *, autocommit: bool) -> None:
    """Durability and concurrency settings for SQLite (documented in docs/security.md)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged answer survives a process kill and a power cut.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
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
            has_request_context() and request.method in READ_METHODS and not options.get(WRITE_OPTION)
        )
        conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


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
