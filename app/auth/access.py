"""Role checks for views, and the helpers that keep every query inside the user's office."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort
from flask_login import current_user, login_required

from app.auth.models import Role
from app.auth.services import Principal

F = TypeVar("F", bound=Callable[..., Any])


def me() -> Principal:
    """The logged-in principal (views behind login only)."""
    user = cast(Principal, current_user._get_current_object())
    return user


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Allow the view to users holding any of the roles; others get 403, anonymous users the login page."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not me().has(*roles):
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def require_same_office(office_id: int | None) -> None:
    """404 (not 403) for another office's record, so ids reveal nothing."""
    if office_id is None or office_id != me().office_id:
        abort(404)
