"""Shared fixtures: settings with random secrets, the app on SQLite or PostgreSQL, clients and users."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import settings as hypothesis_settings
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import Engine, create_engine, make_url, text
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401 - registers every table
from app import create_app
from app.auth.models import Office, Role, User
from app.cases.models import Case
from app.config import Mode, Settings
from app.db import ENGINE_KEY, make_engine
from tests.factories import PASSWORD, SUPERVISOR_NAME, WORKER_NAME, make_new_case, make_office, make_user

PG_URL = os.environ.get("TELEWYWIAD_TEST_DATABASE_URL")
# pytest-xdist names each worker process (gw0, gw1, ...); unset in a run without -n.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
# Pinned clocks: @pytest.mark.dates and TELEWYWIAD_TEST_TODAY (tests/clock.py).
pytest_plugins = ["tests.clock"]

# Property tests explore new random inputs on every local run; CI (.ci/run sets HYPOTHESIS_PROFILE=ci) replays a
# fixed sequence, so a landing is never refused for a new random draw and every red run can be repeated.
# derandomize seeds each test from its own code and uses no example database, so the sequence is the same
# whichever pytest-xdist worker runs the test, and in whatever order.
hypothesis_settings.register_profile("ci", derandomize=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_report_header(config: pytest.Config) -> str:
    """Say which database the run uses, so the output proves the PostgreSQL run happened."""
    where = f"PostgreSQL {PG_URL.rsplit('@', 1)[-1]}" if PG_URL else "SQLite"
    if getattr(config.option, "numprocesses", None):
        where += f", a database per worker ({'tw_test_gw0, tw_test_gw1, …' if PG_URL else 'a file in its temp folder'})"
    return f"telewywiad test database: {where}"


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, each worker keeps Playwright's failure artifacts in its own folder."""
    if XDIST_WORKER and getattr(config.option, "output", None):
        config.option.output = os.path.join(config.option.output, XDIST_WORKER)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark app tests `db` (the PostgreSQL run picks them up) and run browser tests last.

    Browser tests last: fast feedback first, and pytest-playwright keeps an asyncio loop running in the
    test process, which pyHanko's synchronous API (asyncio.run) cannot be called under.
    """
    for item in items:
        if "app" in getattr(item, "fixturenames", ()) and "/browser/" not in str(item.path):
            item.add_marker(pytest.mark.db)
    items.sort(key=lambda item: "/browser/" in str(item.path))


@contextmanager
def scratch_database(url: str, name: str) -> Iterator[str]:
    """A new empty PostgreSQL database `name` in the cluster of `url` (one left by an earlier run is replaced).

    Yields its URL; the database is dropped at the end, even with connections still open.
    """
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database with the current schema, created once per run (once per worker under pytest-xdist).

    SQLite: a file in the run's (the worker's) temp folder. PostgreSQL: TELEWYWIAD_TEST_DATABASE_URL itself in a
    run without -n; under -n each worker gets its own database `tw_test_gwN` in the same cluster.
    """
    if not PG_URL:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        _create_schema(url)
        yield url
        return
    if not XDIST_WORKER:
        _create_schema(PG_URL)
        yield PG_URL
        return
    with scratch_database(PG_URL, f"tw_test_{XDIST_WORKER}") as url:
        _create_schema(url)
        yield url


def _create_schema(url: str) -> None:
    engine = make_engine(url)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    engine.dispose()


def wipe(engine: Engine) -> None:
    """Empty every table between tests."""
    # DELETE, not TRUNCATE: for a few rows per table it is several times faster on PostgreSQL.
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Test settings: a fresh random secret, the shared test database, a private instance folder."""
    return Settings(
        env=Mode.TEST,
        secret_key=secrets.token_urlsafe(48),
        database_url=database_url,
        instance_path=tmp_path / "instance",
        session_cookie_secure=False,
        test_cheap_hashing=True,
    )


class SharedTemplateCode(BytecodeCache):
    """Compiled templates kept for the whole run: each test's app has its own Jinja environment, same templates.

    Jinja checks each entry against the template's source checksum, so a changed template is compiled again.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = SharedTemplateCode()


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """The application under test; the database is emptied afterwards."""
    application = create_app(settings)
    application.config["TESTING"] = True
    application.jinja_env.bytecode_cache = TEMPLATE_CODE
    yield application
    engine: Engine = application.extensions[ENGINE_KEY]
    wipe(engine)
    engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like test client."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Runs `telewywiad` commands against the app."""
    return app.test_cli_runner()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session for arranging and checking data directly; commit to make data visible to requests."""
    engine = make_engine(app.extensions[ENGINE_KEY].url.render_as_string(hide_password=False), autocommit=True)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture
def office(db: Session) -> Office:
    """The office most tests act in."""
    result = make_office(db, "Gminny Ośrodek Pomocy Społecznej w Pucku")
    db.commit()
    return result


@pytest.fixture
def user_factory(db: Session, office: Office) -> Callable[..., User]:
    """Create users with roles: user_factory(Role.SUPERVISOR, username='kierownik')."""

    def factory(*roles: Role, office_: Office | None = None, **kwargs: object) -> User:
        user = make_user(db, office_ or office, *roles, **kwargs)  # type: ignore[arg-type]
        db.commit()
        return user

    return factory


@pytest.fixture
def case_factory(db: Session, office: Office) -> Callable[..., Case]:
    """make(assigned=user, phones=['+48601...'], pesel=..., office_=other, **columns) → a committed new case.

    A case as the register form leaves it (tests/factories.py `make_new_case`), in `office` unless `office_` is given.
    """

    def make(*, office_: Office | None = None, **fields: Any) -> Case:
        return make_new_case(db, office_ or office, **fields)

    return make


def csrf_from(html: str) -> str:
    """The CSRF token embedded in a rendered page."""
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no csrf-token meta tag"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD, next_url: str | None = None):  # type: ignore[no-untyped-def]
    """Log in through the real form (GET for the token, then POST)."""
    page = client.get("/login")
    data = {"username": username, "password": password, "csrf_token": csrf_from(page.get_data(as_text=True))}
    if next_url:
        data["next"] = next_url
    return client.post("/login", data=data)


@pytest.fixture
def login_as(client: FlaskClient, user_factory: Callable[..., User]) -> Callable[..., User]:
    """Create a user with the roles and log the client in as them."""

    def do(*roles: Role, **kwargs: object) -> User:
        user = user_factory(*roles, **kwargs)
        response = login(client, user.username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return do


def token(client: FlaskClient, path: str = "/account") -> str:
    """A CSRF token for the client's current session."""
    return csrf_from(client.get(path).get_data(as_text=True))


@pytest.fixture
def worker(login_as: Callable[..., User]) -> User:
    """The office's social worker (username `pracownik`, full name WORKER_NAME), logged in on `client`."""
    return login_as(Role.WORKER, username="pracownik", full_name=WORKER_NAME)


@pytest.fixture
def supervisor(user_factory: Callable[..., User]) -> User:
    """The office's supervisor (username `kierownik`, full name SUPERVISOR_NAME); not logged in."""
    return user_factory(Role.SUPERVISOR, username="kierownik", full_name=SUPERVISOR_NAME)
