"""What happens when a request arrives on a timed-out session: nothing typed is lost."""

from __future__ import annotations

import json

from flask import Flask, Response, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlmodel import Session, select
from wtforms import ValidationError

from app.auth.models import ResumeDraft
from app.db import get_session
from app.web.htmx import is_htmx, trigger
from app.web.redirects import safe_next
from app.web.sessions import ServerSession

# Endpoints that work without a session; a timed-out session simply continues there.
OPEN_ENDPOINTS = {"auth.login", "static", "auth.language", "health"}
# Never keep these in a draft: secrets are typed again.
SECRET_FIELDS = ("password", "csrf_token", "passphrase")


def _posted_csrf() -> str | None:
    return request.form.get("csrf_token") or request.headers.get("X-CSRFToken")


def _verify_expired_csrf(server_session: ServerSession) -> None:
    """The post must carry the token of the session that timed out, or it is not the user's own form."""
    posted = _posted_csrf()
    if not posted or not server_session.expired_csrf_token:
        raise CSRFError("missing token")
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session[field] = server_session.expired_csrf_token
    try:
        validate_csrf(posted, time_limit=None)
    except ValidationError as exc:
        raise CSRFError(str(exc)) from exc
    finally:
        session.pop(field, None)


def keep_draft(db: Session, user_id: int, return_to: str) -> ResumeDraft:
    """Store the posted form (without secrets) for the user to send again after logging in."""
    fields = [
        (key, value)
        for key, values in request.form.lists()
        for value in values
        if not any(secret in key.lower() for secret in SECRET_FIELDS)
    ]
    existing = db.exec(
        select(ResumeDraft).where(ResumeDraft.user_id == user_id, ResumeDraft.path == request.path)
    ).first()
    draft = existing or ResumeDraft(user_id=user_id, method=request.method, path=request.path, form_json="[]")
    if existing is not None and request.headers.get("HX-Request") == "true":
        # Autosaves of one answer arrive many times: merge them, the latest value per field winning.
        merged = dict(json.loads(existing.form_json))
        merged.update(dict(fields))
        fields = list(merged.items())
    draft.form_json = json.dumps(fields, ensure_ascii=False)
    draft.return_to = return_to
    db.add(draft)
    db.flush()
    return draft


def _return_path() -> str:
    referrer = request.referrer or ""
    host = request.host_url
    if referrer.startswith(host):
        candidate = safe_next("/" + referrer[len(host) :])
        if candidate:
            return candidate
    return safe_next(request.full_path.rstrip("?")) or "/"


def install(app: Flask) -> None:
    """Register the hook; it must run before CSRF protection so an expired post is recognised."""

    @app.before_request
    def _expired_session() -> Response | None:
        server_session = session
        if not isinstance(server_session, ServerSession) or server_session.expired_user_id is None:
            return None
        if request.endpoint in OPEN_ENDPOINTS:
            return None
        message = str(_l("Sesja wygasła z powodu braku aktywności. Zaloguj się ponownie — nic nie zostało utracone."))
        return_to = _return_path()
        if request.method in ("GET", "HEAD", "OPTIONS"):
            target = url_for("auth.login", next=safe_next(request.full_path.rstrip("?")) or "/")
        else:
            _verify_expired_csrf(server_session)
            keep_draft(get_session(), server_session.expired_user_id, return_to)
            get_session().commit()
            target = url_for("auth.login", next=return_to)
        session["expired_notice"] = True
        if is_htmx():
            response = Response(str(message), status=401, mimetype="text/plain")
            response.headers["HX-Reswap"] = "none"
            return trigger(response, "tw:session-expired", {"login": target})
        flash(message, "warning")
        return redirect(target)  # type: ignore[return-value]
