"""Probes for the load balancer and systemd: `/healthz` (the process answers), `/readyz` (it can serve)."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("telewywiad.probes")


def install(app: Flask) -> None:
    """Register both probes as application routes (public, no personal data, never cached)."""

    @app.route("/healthz")
    def health() -> Response:
        """Liveness probe for the reverse proxy; touches nothing personal."""
        return Response("ok", mimetype="text/plain")

    @app.route("/readyz")
    def ready() -> Response:
        """Readiness: the database answers and the form definitions are loaded; 503 naming what is missing."""
        from app.db import get_engine
        from app.formdefs.extension import FORMS_KEY

        problems = []
        try:
            with get_engine().connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            log.warning("readiness: database unreachable (%s)", type(exc).__name__)
            problems.append("database unreachable")
        registry = current_app.extensions.get(FORMS_KEY)
        if registry is None or not len(registry):
            problems.append("no form definitions loaded")
        if problems:
            return Response("not ready: " + "; ".join(problems), status=503, mimetype="text/plain")
        return Response("ready", mimetype="text/plain")
