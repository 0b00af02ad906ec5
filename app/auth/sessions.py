"""Server-side sessions in the database: renewable ids, real logout, idle time-out across processes."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import bindparam, select
from sqlmodel import col
from werkzeug.datastructures import CallbackDict

from app.auth.models import User, UserRole, WebSession
from app.auth.services import Principal, principal_of
from app.clock import utcnow
from app.db import READ_OPTION, get_engine, standalone_session

COOKIE_NAME = "tw_session"
# Session key remembering whose session timed out in this browser (until someone logs in here).
EXPIRED_KEY = "expired_for"
# Writing last_seen on every request would turn every read into a write. Activity is written at most once a
# minute, and at most a tenth of the idle limit apart, so a short limit never logs out someone who is typing.
TOUCH_EVERY = timedelta(seconds=60)
TOUCH_FRACTION = 10


# The session row with its user and their roles (one row per role): the request's principal comes with the session,
# so Flask-Login's user loader need not read them again (one round trip less on every logged-in request).
_SESSION_ROW = (
    select(
        col(WebSession.id_hash), col(WebSession.data), col(WebSession.user_id), col(WebSession.last_seen_at),
        col(WebSession.created_at), col(User.office_id), col(User.username), col(User.full_name), col(User.locale),
        col(User.active), col(UserRole.role),
    )
    .select_from(WebSession)
    .outerjoin(User, col(User.id) == col(WebSession.user_id))
    .outerjoin(UserRole, col(UserRole.user_id) == col(User.id))
    .where(col(WebSession.id_hash) == bindparam("id_hash"))
)


def _principal(rows: Sequence[Any]) -> Principal | None:
    """The session's user as `load_principal` gives it, from the session's rows (None: nobody, or disabled)."""
    first = rows[0]
    if first.user_id is None or first.username is None:
        return None
    return principal_of(id=first.user_id, office_id=first.office_id, username=first.username,
                        full_name=first.full_name, locale=first.locale, active=first.active,
                        roles=[row.role for row in rows])


def touch_interval(idle: timedelta) -> timedelta:
    """How stale `last_seen_at` may get before a request writes it again (a fraction of the idle limit)."""
    return min(TOUCH_EVERY, idle / TOUCH_FRACTION)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """Session data plus the bookkeeping needed to renew ids and detect time-outs."""

    def __init__(self, initial: dict[str, Any] | None = None, token: str | None = None, new: bool = False) -> None:
        def on_update(_self: CallbackDict[str, Any]) -> None:
            self.modified = True

        super().__init__(initial or {}, on_update)
        self.token = token
        self.new = new
        self.modified = False
        self.old_token: str | None = None
        self.destroyed = False
        self.touch = False
        # An anonymous session that had timed out, kept under its id: saved with a new start (created_at too).
        self.renewed = False
        # Set when the request arrived with a session that had timed out: who it was and its CSRF token.
        self.expired_user_id: int | None = None
        self.expired_csrf_token: str | None = None
        # The user the stored session names, read with it (app/__init__.py's user loader takes it when it matches).
        self.principal: Principal | None = None

    def regenerate(self) -> None:
        """Give the session a new id (at login), dropping the old one."""
        if self.token and not self.old_token:
            self.old_token = self.token
        self.token = None
        self.modified = True

    def destroy(self) -> None:
        """End the session (logout)."""
        self.clear()
        self.destroyed = True
        self.modified = True


class DatabaseSessionInterface(SessionInterface):
    """Flask session interface backed by the web_session table."""

    def __init__(self, idle: timedelta, max_age: timedelta) -> None:
        self.idle = idle
        self.max_age = max_age

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        """Load the session named by the cookie; a timed-out one is replaced by an empty one."""
        token = request.cookies.get(COOKIE_NAME)
        if not token or len(token) > 100:
            return ServerSession(new=True)
        now = utcnow()
        # Reading the session must not take SQLite's write lock: every request opens one. One plain SELECT on a
        # reader's connection (no ORM session or object: this runs before every request).
        with get_engine().execution_options(**{READ_OPTION: True}).connect() as connection:
            rows = connection.execute(_SESSION_ROW, {"id_hash": _hash(token)}).all()
        if not rows:
            return ServerSession(new=True)
        id_hash, raw, user_id, last_seen_at, created_at = rows[0][:5]
        data = json.loads(raw)
        expired_for = data.get(EXPIRED_KEY)
        timed_out = now - last_seen_at > self.idle or now - created_at > self.max_age
        if timed_out and user_id is not None:
            fresh = ServerSession(new=True)
            fresh.expired_user_id = user_id
            fresh.expired_csrf_token = data.get("csrf_token")
            with standalone_session() as writer:
                expired = writer.get(WebSession, id_hash)
                if expired is not None:
                    writer.delete(expired)
            return fresh
        session = ServerSession(data, token=token)
        session.principal = _principal(rows)
        session.touch = now - last_seen_at > touch_interval(self.idle)
        # Nobody is logged in to a session that timed out here: it carries no rights, only the CSRF token of this
        # browser's open forms (a login form may stay open past the idle limit, or open in another tab) and whose
        # login timed out in it. It is renewed in place, under the same id: requests already on their way with its
        # cookie (an old tab's retries, a login in a new tab) still find it and its token, instead of one of them
        # finding it deleted by another and starting a session with a token no open form has.
        session.renewed = timed_out
        if isinstance(expired_for, dict) and not data.get("_user_id"):
            # Still the browser of a timed-out login: what it sends is kept for that user until they log in.
            session.expired_user_id = expired_for.get("user_id")
            session.expired_csrf_token = expired_for.get("csrf")
        return session

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Persist changes, renew ids, and set or clear the cookie."""
        assert isinstance(session, ServerSession)  # noqa: S101 - we only ever open ServerSession
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        secure = self.get_cookie_secure(app)
        samesite = self.get_cookie_samesite(app)
        if session.destroyed or (session.old_token and not session):
            with standalone_session() as db:
                for token in filter(None, (session.token, session.old_token)):
                    row = db.get(WebSession, _hash(token))
                    if row is not None:
                        db.delete(row)
            response.delete_cookie(COOKIE_NAME, domain=domain, path=path, secure=secure, samesite=samesite)
            return
        if not session.modified and not session.touch and not session.renewed:
            return
        if not session and session.token is None:
            return  # nothing worth a row yet
        now = utcnow()
        user_id = session.get("_user_id")
        with standalone_session() as db:
            if session.old_token:
                old = db.get(WebSession, _hash(session.old_token))
                if old is not None:
                    db.delete(old)
            if session.token is None:
                session.token = secrets.token_urlsafe(32)
                row = WebSession(id_hash=_hash(session.token), created_at=now)
            else:
                row = db.get(WebSession, _hash(session.token)) or WebSession(
                    id_hash=_hash(session.token), created_at=now
                )
            if session.renewed:
                row.created_at = now
            row.data = json.dumps(dict(session), default=str)
            row.user_id = int(user_id) if user_id else None
            row.last_seen_at = now
            db.add(row)
        if session.modified or session.new or session.old_token:
            response.set_cookie(
                COOKIE_NAME,
                session.token,
                httponly=True,
                secure=secure,
                samesite=samesite,
                domain=domain,
                path=path,
            )
        response.vary.add("Cookie")
