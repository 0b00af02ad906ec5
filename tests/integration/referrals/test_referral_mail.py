"""The outbox: notices of new referrals carry no personal data and survive a mail-server outage."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlmodel import Session, col, func, select

from app.auth.models import Office, Role
from app.cli import main
from app.clock import utcnow
from app.config import ReferralSettings, get_settings
from app.db import ENGINE_KEY, make_engine
from app.referrals.intake import ReferralInput, raise_referral
from app.referrals.mail import MIN_LEASE, claim_message, send_outbox
from app.referrals.models import OutboxMessage, Priority, ReasonCategory
from tests.integration.referrals.conftest import principal_of


class Inbox(Message):
    """An aiosmtpd handler keeping every received message."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Any] = []

    def handle_message(self, message: Any) -> None:
        self.messages.append(message)


class SlowInbox(Inbox):
    """A server that takes a moment per message, so overlapping runs really overlap."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        await asyncio.sleep(0.02)
        return str(await super().handle_DATA(server, session, envelope))


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

    def start(handler: type[Inbox] = Inbox) -> Inbox:
        inbox = handler()
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
    get_settings(app).referrals = settings
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
    get_settings(app).referrals = ReferralSettings(smtp_host="")
    result = runner.invoke(main, args=["mail", "send-outbox"])
    assert result.exit_code != 0
    assert "SMTP is not configured" in result.output


def _queue(db: Session, office: Office, count: int) -> list[str]:
    """Put `count` due messages in the outbox; their subjects, to recognise them in the inbox."""
    subjects = [f"powiadomienie {n}" for n in range(count)]
    for subject in subjects:
        db.add(OutboxMessage(office_id=office.id, kind="test", recipients="dyzur@example.org", subject=subject,
                             body="Bez danych osobowych."))
    db.commit()
    return subjects


def test_concurrent_runs_deliver_each_message_exactly_once(
    app: Flask, db: Session, office: Office, mail_settings: ReferralSettings, start_smtp: Any
) -> None:
    """Two senders started at the same moment, each with its own engine and each starting run after run until the
    outbox is empty (overlapping cron runs), deliver every message once: a run claims a message before sending."""
    subjects = _queue(db, office, 12)
    inbox = start_smtp(SlowInbox)
    url = app.extensions[ENGINE_KEY].url.render_as_string(hide_password=False)
    start = threading.Barrier(2)
    sent: list[int] = []
    errors: list[BaseException] = []

    def sender() -> None:
        engine = make_engine(url)
        try:
            start.wait(timeout=10)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                with Session(engine, expire_on_commit=False) as session:
                    sent.append(send_outbox(session, settings=mail_settings).sent)
                    pending = session.exec(select(func.count()).select_from(OutboxMessage)
                                           .where(col(OutboxMessage.sent_at).is_(None))).one()
                if not pending:
                    break
                time.sleep(0.005)
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(m["Subject"] for m in inbox.messages) == sorted(subjects)
    assert sum(sent) == len(subjects)
    rows = db.exec(select(OutboxMessage)).all()
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows)


def test_a_crashed_runs_claim_expires_and_the_message_is_sent_once(
    runner: FlaskCliRunner, db: Session, office: Office, mail_settings: ReferralSettings, start_smtp: Any
) -> None:
    """A run that claimed a message and died holds it only until its lease runs out; then a later run sends it."""
    [subject] = _queue(db, office, 1)
    message = db.exec(select(OutboxMessage)).one()
    now = utcnow()
    # The crashed run: claimed, never delivered, never released.
    assert claim_message(db, message.id or 0, run_id="crashed", now=now, lease=MIN_LEASE) is not None
    inbox = start_smtp()

    during = runner.invoke(main, args=["mail", "send-outbox"])
    assert during.exit_code == 0, during.output
    assert "Sent 0" in during.output and "being sent by another run 1" in during.output
    assert inbox.messages == []

    after = send_outbox(db, settings=mail_settings, now=now + MIN_LEASE + dt.timedelta(seconds=1))
    assert (after.sent, after.busy) == (1, 0)
    assert [m["Subject"] for m in inbox.messages] == [subject]
    db.refresh(message)
    assert message.sent_at is not None and message.attempts == 2  # the crashed attempt counts
    assert message.claimed_until is None and message.claimed_by == ""


def test_a_long_run_counts_back_off_from_the_attempt_not_from_its_start(
    db: Session, office: Office, mail_settings: ReferralSettings
) -> None:
    """A run that started an hour ago (a slow server, many messages) still leases and backs off from now."""
    _queue(db, office, 1)
    message = db.exec(select(OutboxMessage)).one()
    message.next_attempt_at = utcnow() - dt.timedelta(hours=2)
    db.add(message)
    db.commit()
    report = send_outbox(db, settings=mail_settings, now=utcnow() - dt.timedelta(hours=1))  # server down
    assert report.failed == 1
    db.refresh(message)
    assert message.next_attempt_at > utcnow()


def test_a_notice_being_sent_is_not_rewritten(
    db: Session, user_factory: Any, make_case: Any, mail_settings: ReferralSettings
) -> None:
    """A new referral while its office's notice is being sent queues a fresh notice instead of editing that one."""
    worker = user_factory(Role.WORKER)
    case = make_case(worker)
    _raise(db, worker, case, mail_settings, "Ala")
    first = db.exec(select(OutboxMessage)).one()
    claim = claim_message(db, first.id or 0, run_id="sending", now=utcnow(), lease=MIN_LEASE)
    assert claim is not None and "(1)" in claim.subject
    _raise(db, worker, case, mail_settings, "Ola")
    notices = db.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    assert len(notices) == 2
    db.refresh(notices[0])
    assert "(1)" in notices[0].subject and "(2)" in notices[1].subject
