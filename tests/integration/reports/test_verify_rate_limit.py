"""Signature checks of uploaded PDFs are rate-limited per user, in the database (holds across processes)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from app.auth.models import Role, User
from app.config import Settings
from app.web.ratelimit import RateEvent
from tests.conftest import login, token


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Two checks per minute, so the test reaches the limit quickly."""
    return settings.model_copy(update={"verify_max_per_minute": 2})


def _upload(client: FlaskClient, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/review/verify",
        data={"csrf_token": token(client, "/review/verify"), "pdf": (io.BytesIO(b"not a pdf"), "x.pdf")},
        content_type="multipart/form-data",
        headers=headers,
    )


def test_third_check_within_a_minute_is_refused_with_429_and_retry_after(
    app: Flask, client: FlaskClient, db: Session, login_as: Callable[..., User], user_factory: Callable[..., User]
) -> None:
    """After the limit the supervisor is told in Polish how long to wait; another supervisor is not affected."""
    login_as(Role.SUPERVISOR)
    assert _upload(client).status_code == 422  # counted even when the file is refused
    assert _upload(client).status_code == 422
    refused = _upload(client)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "Zbyt wiele sprawdzeń w krótkim czasie" in body and 'role="alert"' in body
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    fragment = _upload(client, **{"HX-Request": "true"})
    assert fragment.status_code == 429 and "Zbyt wiele sprawdzeń" in fragment.get_data(as_text=True)
    assert db.exec(select(func.count()).select_from(RateEvent)).one() == 2

    other = app.test_client()
    colleague = user_factory(Role.SUPERVISOR)
    assert login(other, colleague.username).status_code == 302
    assert _upload(other).status_code == 422


def test_limit_is_a_setting(settings: Settings) -> None:
    """TELEWYWIAD_VERIFY_MAX_PER_MINUTE sets it; the default allows ten checks a minute."""
    assert Settings.model_fields["verify_max_per_minute"].default == 10
    assert settings.verify_max_per_minute == 2
