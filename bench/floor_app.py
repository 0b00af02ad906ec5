"""The durable-write floor: the smallest app in the same stack as autosave, served by the same gunicorn settings.

Flask, the app's own engine (`app.db.make_engine`: on SQLite WAL, synchronous=FULL, the same pool and the same
writer turn; on PostgreSQL the same pool), one INSERT and one COMMIT per POST, a few bytes of HTML back. Autosave is
reported as a ratio to this: what the stack allows for one durable write per request, measured in the same run.

Run by bench/load_bench.py: `gunicorn ... bench.floor_app:app` with FLOOR_DATABASE_URL set.
"""

from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import Column, Integer, MetaData, Table, Text, insert

metadata = MetaData()
floor_write = Table("floor_write", metadata, Column("id", Integer, primary_key=True), Column("body", Text, nullable=False))


def prepare(url: str) -> None:
    """Create the floor's table (once, before gunicorn starts its workers)."""
    from app.db import make_engine

    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()


def create_app(url: str) -> Flask:
    """The floor app on this database (its table made by `prepare`)."""
    from app.db import make_engine

    engine = make_engine(url)
    flask_app = Flask(__name__)

    @flask_app.post("/write")
    def write() -> str:
        with engine.begin() as connection:  # POST: BEGIN IMMEDIATE on SQLite, like a save
            connection.execute(insert(floor_write).values(body=request.get_data(as_text=True)[:200]))
        return "<span>ok</span>"

    @flask_app.get("/healthz")
    def healthz() -> str:
        return "ok"

    return flask_app


app = create_app(os.environ["FLOOR_DATABASE_URL"]) if "FLOOR_DATABASE_URL" in os.environ else None
