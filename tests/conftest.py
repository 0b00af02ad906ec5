"""Shared fixtures: settings with random secrets, the app on SQLite or PostgreSQL, clients and users."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401 - registers every table
from app import create_app
from app.auth.models import Office, Role, User
from app.config import Mode, Settings
from app.db import ENGINE_KEY, make_engine
from tests.factories import PASSWORD, make_office, make_user

PG_URL = os.environ.get("TELEWYWIAD_TEST_DATABASE_URL")
# Pinned clocks: @pytest.mark.dates and TELEWYWIAD_TEST_TODAY (tests/clock.py).
pytest_plugins = ["tests.clock"]

# Property tests explore new random inputs on every local run; CI (.ci/run sets HYPOTHESIS_PROFILE=ci) replays a
# fixed sequence, so a landing is never refused for a new random draw and every red run can be repeated.
hypothesis_settings.register_profile("ci", derandomize=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_report_header() -> str:
    """Say which database the run uses, so the output proves the PostgreSQL run happened."""
    return f"telewywiad test database: {'PostgreSQL ' + PG_URL.rsplit('@', 1)[-1] if PG_URL else 'SQLite'}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark app tests `db` (the PostgreSQL run picks them up) and run browser tests last.

    Browser tests last: fast feedback first, and pytest-playwright keeps an asyncio loop running in the
    test process, which pyHanko's synchronous API (asyncio.run) cannot be called under.
    """
    for item in items:
        if "app" in getattr(item, "fixturenames", ()) and "/browser/" not in str(item.path):
            item.add_marker(pytest.mark.db)
    items.sort(key=lambda item: "/browser/" in str(item.path))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database with the current schema, created once per run."""
    url = PG_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    engine = make_engine(url)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    return url


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
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """The application under test; the database is emptied afterwards."""
    application = create_app(settings)
    application.config["TESTING"] = True
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
