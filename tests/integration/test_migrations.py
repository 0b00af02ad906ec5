"""Alembic: the head revision builds exactly the schema the models describe."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.db import make_engine
from app.migrations import upgrade
from tests.conftest import PG_URL, scratch_database


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    """A brand-new empty database of the same kind as the test run's."""
    if PG_URL is None:
        engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
        yield engine
        engine.dispose()
        return
    with scratch_database(PG_URL, f"tw_migr_{secrets.token_hex(4)}") as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.mark.db
def test_migration_head_matches_models(empty_engine: Engine) -> None:
    """Upgrading an empty database to head leaves no difference from SQLModel.metadata."""
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert diff == [], f"models and migrations differ; run `telewywiad db revision -m ...`: {diff}"


@pytest.mark.db
def test_upgrade_is_repeatable(empty_engine: Engine) -> None:
    """Running `db upgrade` twice is harmless."""
    upgrade(empty_engine)
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
