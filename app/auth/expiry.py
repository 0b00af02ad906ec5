"""What happens when a request arrives on a timed-out session: nothing typed is lost.

Every post from the browser of a timed-out login — not only the first — is kept for that user until they log
in again (the browser's new, anonymous session remembers whose session it was and that session's CSRF token).
Features that edit a record field by field register a collector, so their values are kept per field with the
revision each was based on; anything else is kept as a plain form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, Response, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlmodel import Session
from wtforms import ValidationError

from app.auth import drafts
from app.auth.sessions import EXPIRED_KEY, ServerSession
from app.db import get_session, standalone_session
from app.web.htmx import is_htmx, trigger
from app.web.redirects import safe_next

# Endpoints that work without a session; a timed-out session simply continues there.
OPEN_ENDPOINTS = {"auth.login", "static", "auth.language", "health"}
# Session flag: this login has drafts, so successful posts check whether they sent one of them.
DRAFTS_FLAG = "has_drafts"


@dataclass
class Capture:
    """Values of one record posted after the time-out, one entry per field (see drafts.Entry)."""

    object_type: str
    object_id: int
    entries: list[drafts.Entry] = field(default_factory=list)


# endpoint -> function reading the current request into a Capture (None: keep it as a plain form)
Collector = Callable[[Session], Capture | None]
COLLECTORS: dict[str, Collector] = {}


def register_collector(endpoint: str, collector: Collector) -> None:
    """Keep posts to `endpoint` per field of a record instead of as a plain form."""
    COLLECTORS[endpoint] = collector


# Posts that only look something up (nothing to send again): answered 401, never kept.
NOT_KEPT: set[str] = set()


def register_not_kept(endpoint: str) -> None:
    """A post to `endpoint` after a time-out is a look-up, not input: do not keep it."""
    NOT_KEPT.add(endpoint)


def _posted_csrf() -> str | None:
    return request.form.get("csrf_token") or request.headers.get("X-CSRFToken")


def _verify_expired_csrf(server_session: ServerSession) -> None:
    """The post must carry the token of the session that timed out, or it is not the user's own form."""
    posted = _posted_csrf()
    if not posted or not server_session.expired_csrf_token:
        raise CSRFError("missing token")
    field_name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    # The login form open in another tab of this browser has its own token in this session: keep it.
    current = session.get(field_name)
    session[field_name] = server_session.expired_csrf_token
    try:
        validate_csrf(posted, time_limit=None)
    except ValidationError as exc:
        raise CSRFError(str(exc)) from exc
    finally:
        if current is None:
            session.pop(field_name, None)
        else:
            session[field_name] = current


def keep_post(db: Session, user_id: int, return_to: str) -> None:
    """Keep what the current post carries for the user: per field when a feature collects it, else the form."""
    if request.endpoint in NOT_KEPT:
        return
    collector = COLLECTORS.get(request.endpoint or "")
    capture = collector(db) if collector is not None else None
    if capture is not None:
        drafts.keep_entries(
            db, user_id=user_id, method=request.method, path=request.path, object_type=capture.object_type,
            object_id=capture.object_id, entries=capture.entries, return_to=return_to,
        )
        return
    fields = [(key, value) for key, values in request.form.lists() for value in values]
    drafts.keep_form(
        db, user_id=user_id, method=request.method, path=request.path, fields=fields, return_to=return_to,
        merge=request.headers.get("HX-Request") == "true",
    )


def _return_path() -> str:
    referrer = request.referrer or ""
    host = request.host_url
    if referrer.startswith(host):
        candidate = safe_next("/" + referrer[len(host) :])
        if candidate:
            return candidate
    return safe_next(request.full_path.rstrip("?")) or "/"


def _forget_sent_forms(response: Response) -> Response:
    """A kept form whose own values were all posted again successfully is no longer pending."""
    if (
        request.method == "POST"
        and response.status_code < 400
        and session.get(DRAFTS_FLAG)
        and current_user.is_authenticated
    ):
        posted = [(key, value) for key, values in request.form.lists() for value in values]
        with standalone_session() as db:
            drafts.forget_sent_forms(db, user_id=int(current_user.get_id()), path=request.path, posted=posted)
    return response


def install(app: Flask) -> None:
    """Register the hooks; the first must run before CSRF protection so an expired post is recognised."""

    @app.before_request
    def _expired_session() -> Response | None:
        server_session = session
        if not isinstance(server_session, ServerSession) or server_session.expired_user_id is None:
            return None
        if request.endpoint in OPEN_ENDPOINTS:
            return None
        message = str(_l("Sesja wygasła z powodu braku aktywności. Zaloguj się ponownie — nic nie zostało utracone."))
        return_to = _return_path()
        kept = False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            target = url_for("auth.login", next=safe_next(request.full_path.rstrip("?")) or "/")
        else:
            _verify_expired_csrf(server_session)
            keep_post(get_session(), server_session.expired_user_id, return_to)
            get_session().commit()
            kept = True
            target = url_for("auth.login", next=return_to)
        session["expired_notice"] = True
        session[EXPIRED_KEY] = {
            "user_id": server_session.expired_user_id,
            "csrf": server_session.expired_csrf_token,
        }
        if is_htmx():
            response = Response(str(message), status=401, mimetype="text/plain")
            response.headers["HX-Reswap"] = "none"
            return trigger(response, "tw:session-expired", {"login": target, "kept": kept})
        flash(message, "warning")
        return redirect(target)  # type: ignore[return-value]

    app.after_request(_forget_sent_forms)
