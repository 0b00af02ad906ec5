"""The outbox: notices of new referrals carry no personal data and survive a mail-server outage."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlmodel import Session, select

from app.auth.models import Role
from app.cli import main
from app.clock import utcnow
from app.referrals.mail import send_outbox
from app.referrals.models import OutboxMessage, Priority, ReasonCategory
from app.referrals.services import ReferralInput, raise_referral
from app.referrals.settings import EXTENSION_KEY, ReferralSettings
from tests.integration.referrals.conftest import principal_of


class Inbox(Message):
    """An aiosmtpd handler keeping every received message."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Any] = []

    def handle_message(self, message: Any) -> None:
        self.messages.append(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_port() -> int:
    """A port where nothing listens yet."""
    return _free_port()


@pytest.fixture
def start_smtp(smtp_port: int) -> Iterator[Any]:
    """Start a local SMTP server on smtp_port when asked; stopped after the test."""
    controllers: list[Controller] = []

    def start() -> Inbox:
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        controllers.append(controller)
        return inbox

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def mail_settings(app: Flask, smtp_port: int) -> ReferralSettings:
    """SMTP pointing at the local test server, plain (no STARTTLS, no login)."""
    settings = ReferralSettings(
        smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_from="telewywiad@ops.example.org", smtp_starttls=False,
        smtp_timeout=3, referral_notify_to="psycholog@example.org, dyzur@example.org", base_url="https://tw.example.org",
    )
    app.extensions[EXTENSION_KEY] = settings
    return settings


def _raise(db: Session, worker: Any, case: Any, settings: ReferralSettings, name: str) -> None:
    raise_referral(
        db, actor=principal_of(db, worker), case=case, interview=None, flag=None, danger=False,
        data=ReferralInput(person_name=name, phone="600100200", reason=ReasonCategory.CRISIS.value,
                           priority=Priority.URGENT.value, worker_note="Pilne: nie widzi wyjścia", consent="yes"),
        settings=settings, list_url="https://tw.example.org/referrals",
    )
    db.commit()


def test_notice_is_delivered_with_a_count_and_a_link_only(
    db: Session, user_factory: Any, make_case: Any, mail_settings: ReferralSettings, start_smtp: Any
) -> None:
    """Two new referrals make one notice: the count and the link, no names, phones or reasons."""
    worker = user_factory(Role.WORKER)
    case = make_case(worker)
    _raise(db, worker, case, mail_settings, "Zażółć Gęślą-Jaźń")
    _raise(db, worker, case, mail_settings, "Jan Źdźbło")
    assert len(db.exec(select(OutboxMessage)).all()) == 1
    inbox = start_smtp()
    report = send_outbox(db, settings=mail_settings)
    assert (report.sent, report.failed) == (1, 0)
    [message] = inbox.messages
    body = message.get_payload(decode=True).decode("utf-8")
    assert "(2)" in message["Subject"]
    assert "https://tw.example.org/referrals" in body
    assert message["To"] == "psycholog@example.org, dyzur@example.org"
    for personal in ("Zażółć", "Źdźbło", "600", "nie widzi", "kryzys"):
        assert personal not in body and personal not in message["Subject"]
    assert db.exec(select(OutboxMessage)).one().sent_at is not None
    # Nothing pending: a second run sends nothing.
    assert send_outbox(db, settings=mail_settings).sent == 0
    assert len(inbox.messages) == 1


def test_server_down_then_up_loses_nothing(
    runner: FlaskCliRunner, db: Session, user_factory: Any, make_case: Any, mail_settings: ReferralSettings,
    start_smtp: Any,
) -> None:
    """With the server down the CLI fails and keeps the message for later; once up, a later run delivers it."""
    worker = user_factory(Role.WORKER)
    _raise(db, worker, make_case(worker), mail_settings, "Zażółć Gęślą-Jaźń")

    down = runner.invoke(main, args=["mail", "send-outbox"])
    assert down.exit_code == 1
    assert "failed 1" in down.output
    message = db.exec(select(OutboxMessage)).one()
    db.refresh(message)
    assert message.sent_at is None
    assert message.attempts == 1
    assert message.last_error  # the error class, for the operator
    assert message.next_attempt_at > utcnow()

    inbox = start_smtp()
    early = runner.invoke(main, args=["mail", "send-outbox"])
    assert "Sent 0" in early.output and "waiting for retry 1" in early.output  # not due yet: no hammering

    later = send_outbox(db, settings=mail_settings, now=utcnow() + dt.timedelta(minutes=5))
    assert later.sent == 1
    assert len(inbox.messages) == 1
    db.refresh(message)
    assert message.sent_at is not None and message.attempts == 2


def test_no_recipients_means_no_notice(db: Session, user_factory: Any, make_case: Any, app: Flask) -> None:
    """Without TELEWYWIAD_REFERRAL_NOTIFY_TO nothing is queued."""
    worker = user_factory(Role.WORKER)
    _raise(db, worker, make_case(worker), ReferralSettings(referral_notify_to=""), "Ala")
    assert db.exec(select(OutboxMessage)).all() == []


def test_cli_refuses_without_smtp_settings(runner: FlaskCliRunner, app: Flask) -> None:
    """send-outbox says plainly that SMTP is not configured and exits non-zero."""
    app.extensions[EXTENSION_KEY] = ReferralSettings(smtp_host="")
    result = runner.invoke(main, args=["mail", "send-outbox"])
    assert result.exit_code != 0
    assert "SMTP is not configured" in result.output
