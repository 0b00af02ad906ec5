"""Login, logout, own account (password, language) and resuming posts cut off by a time-out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlmodel import Session
from werkzeug.exceptions import HTTPException

from app import audit
from app.auth import drafts, throttle
from app.auth.access import me
from app.auth.expiry import DRAFTS_FLAG
from app.auth.landing import home_for
from app.auth.models import ResumeDraft, User
from app.auth.reauth import Guard, ReauthThrottled
from app.auth.services import AccountError, authenticate, change_password, load_principal
from app.auth.sessions import EXPIRED_KEY, ServerSession
from app.db import get_session
from app.web.htmx import render
from app.web.redirects import safe_next

bp = Blueprint("auth", __name__)


def _policy() -> throttle.ThrottlePolicy:
    policy: throttle.ThrottlePolicy = current_app.extensions["telewywiad.throttle"]
    return policy


def _keys(username: str) -> tuple[str, str]:
    secret = current_app.config["SECRET_KEY"]
    return (
        throttle.attempt_key(secret, "user", username),
        throttle.attempt_key(secret, "addr", request.remote_addr or "unknown"),
    )


def password_guard() -> Guard:
    """The logged-in user's password prompts count under the login form's keys (this account, this address)."""
    user_key, address_key = _keys(me().username)
    return Guard(_policy(), user_key, address_key)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """Show the login form and log the user in, with throttling kept in the database."""
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or home_for(me()))  # type: ignore[return-value]
    if request.method == "GET":
        return render("auth/login.html", next_url=next_url, username="", error=None)
    db = get_session()
    # Never cut: a longer name or password belongs to no account, so it simply does not log in.
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    user_key, address_key = _keys(username)
    wait = throttle.wait_time(db, _policy(), username_key=user_key, address_key=address_key)
    if wait.total_seconds() > 0:
        audit.log(db, "login.throttled")
        error = throttle.locked_message(wait)
        return render("auth/login.html", status=429, next_url=next_url, username=username, error=error)
    user = authenticate(db, username, password) if username and password else None
    throttle.note_attempt(db, username_key=user_key, address_key=address_key, succeeded=user is not None)
    if user is None or user.id is None:
        audit.log(db, "login.failed")
        error = _l("Nieprawidłowa nazwa użytkownika lub hasło.")
        return render("auth/login.html", status=401, next_url=next_url, username=username, error=error)
    principal = load_principal(db, user.id)
    assert principal is not None  # noqa: S101 - authenticate returned an active user
    server_session = session
    if isinstance(server_session, ServerSession):
        server_session.regenerate()
    session.pop("expired_notice", None)
    session.pop(EXPIRED_KEY, None)
    login_user(principal)
    audit.log(db, "login", actor=user, obj=user)
    waiting = drafts.drafts_of(db, user.id)
    if waiting:
        session[DRAFTS_FLAG] = True
        return redirect(_after_login_with_drafts(waiting, next_url))  # type: ignore[return-value]
    return redirect(next_url or home_for(principal))  # type: ignore[return-value]


def _after_login_with_drafts(waiting: list[ResumeDraft], next_url: str | None) -> str:
    """Straight back to the record whose values were kept (it sends them itself), else the list of drafts."""
    back = urlsplit(next_url).path if next_url else None
    if back and all(d.object_type and urlsplit(d.return_to).path == back for d in waiting):
        return next_url or back
    return url_for("auth.resume", next=next_url)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    """End the session everywhere it is stored."""
    principal = me()
    audit.log(get_session(), "logout", actor=principal)
    logout_user()
    server_session = session
    if isinstance(server_session, ServerSession):
        server_session.destroy()
    flash(str(_l("Wylogowano.")), "info")
    return redirect(url_for("auth.login"))  # type: ignore[return-value]


@bp.route("/language/<code>", methods=["POST"])
def language(code: str) -> Response:
    """Switch the interface language (stored on the account when logged in)."""
    if code not in ("pl", "en"):
        abort(404)
    session["lang"] = code
    if current_user.is_authenticated:
        db = get_session()
        user = db.get(User, me().id)
        if user is not None:
            user.locale = code
            db.add(user)
    fallback = url_for("home.index") if current_user.is_authenticated else url_for("auth.login")
    return redirect(safe_next(request.form.get("next")) or fallback)  # type: ignore[return-value]


@bp.route("/account", methods=["GET"])
@login_required
def account() -> Response:
    """The user's own account page: password and language."""
    return render("auth/account.html", errors={}, values={})


@bp.route("/account/password", methods=["POST"])
@login_required
def password() -> Response:
    """Change one's own password."""
    db = get_session()
    user = db.get(User, me().id)
    if user is None:
        abort(404)
    try:
        change_password(
            db,
            user,
            current=request.form.get("current_password", ""),
            new=request.form.get("new_password", ""),
            repeat=request.form.get("repeat_password", ""),
            guard=password_guard(),
        )
    except ReauthThrottled as exc:
        return render("auth/account.html", status=429, errors={"current_password": exc.message}, values={})
    except AccountError as exc:
        return render("auth/account.html", status=422, errors={exc.field: exc.message}, values={})
    server_session = session
    if isinstance(server_session, ServerSession):
        server_session.regenerate()  # the old rows are gone; this browser continues under a new id
    flash(str(_l("Hasło zostało zmienione.")), "success")
    return redirect(url_for("auth.account"))  # type: ignore[return-value]


@bp.route("/resume", methods=["GET"])
@login_required
def resume() -> Response:
    """What was sent after the session timed out and is not stored yet, in plain words, ready to send back."""
    db = get_session()
    waiting = drafts.drafts_of(db, me().id)
    next_url = safe_next(request.args.get("next"))
    if not waiting:
        session.pop(DRAFTS_FLAG, None)
        return redirect(next_url or home_for(me()))  # type: ignore[return-value]
    session[DRAFTS_FLAG] = True
    views = [_describe(db, draft) for draft in waiting]
    return render("auth/resume.html", views=views, next_url=next_url)


def _describe(db: Session, draft: ResumeDraft) -> drafts.DraftView:
    if draft.object_type:
        describer = drafts.DESCRIBERS.get(draft.object_type)
        view = describer(db, draft) if describer is not None else None
        if view is not None:
            return view
        # The record is gone or out of reach: it can only be discarded.
        return drafts.DraftView(draft, str(_l("Dane, których nie można już wysłać")), [], "", "")
    return drafts.describe_form(draft, _endpoint_of(draft.path, draft.method))


def _endpoint_of(path: str, method: str) -> str | None:
    try:
        endpoint, _args = current_app.url_map.bind("localhost").match(path, method=method)
    except HTTPException:
        return None
    return str(endpoint)


@bp.route("/resume/<int:draft_id>/discard", methods=["POST"])
@login_required
def discard(draft_id: int) -> Response:
    """Throw away a kept form the user no longer wants to send."""
    db = get_session()
    draft = db.get(ResumeDraft, draft_id)
    if draft is None or draft.user_id != me().id:
        abort(404)
    db.delete(draft)
    audit.log(db, "draft.discard", actor=me(), object_type="draft", object_id=draft_id)
    return redirect(url_for("auth.resume", next=request.form.get("next")))  # type: ignore[return-value]
