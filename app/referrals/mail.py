"""E-mail notice of new referrals through an outbox table: no personal data, and an outage loses nothing.

A referral adds (or refreshes) one pending notice per office: a count and a link, never names or reasons.
`telewywiad mail send-outbox` delivers what is due; a failed delivery is retried later with a growing pause.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session, col, func, select

from app.clock import utcnow
from app.referrals.models import OutboxMessage, Referral, ReferralState
from app.referrals.settings import ReferralSettings

KIND_NEW_REFERRALS = "new_referrals"
MAX_BACKOFF = timedelta(hours=1)


def _backoff(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after each failure, at most an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def notify_new_referrals(session: Session, *, office_id: int, settings: ReferralSettings, list_url: str) -> OutboxMessage | None:
    """Queue (or refresh the still-pending) notice for the office: how many referrals are new, and where to look."""
    recipients = settings.notify_recipients
    if not recipients:
        return None
    count = session.exec(
        select(func.count()).select_from(Referral).where(
            Referral.office_id == office_id, Referral.state == ReferralState.NEW
        )
    ).one()
    with force_locale("pl"):
        subject = _("telewywiad: nowe zgłoszenia do psychologa (%(n)s)", n=count)
        body = _(
            "Na liście zgłoszeń do psychologa czekają nowe zgłoszenia: %(n)s.\n\n"
            "Zaloguj się, aby je zobaczyć: %(url)s\n\n"
            "Ta wiadomość celowo nie zawiera danych osobowych.\n",
            n=count,
            url=list_url,
        )
    pending = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.office_id == office_id,
            OutboxMessage.kind == KIND_NEW_REFERRALS,
            col(OutboxMessage.sent_at).is_(None),
        )
    ).first()
    message = pending or OutboxMessage(office_id=office_id, kind=KIND_NEW_REFERRALS, recipients="", subject="", body="")
    message.recipients = ", ".join(recipients)
    message.subject = subject
    message.body = body
    session.add(message)
    session.flush()
    return message


@dataclass
class SendReport:
    """What one outbox run did."""

    sent: int = 0
    failed: int = 0
    waiting: int = 0
    errors: list[str] | None = None


def _deliver(message: OutboxMessage, settings: ReferralSettings) -> None:
    email = EmailMessage()
    email["From"] = settings.smtp_from
    email["To"] = message.recipients
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="telewywiad")
    email.set_content(message.body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_user, password)
        smtp.send_message(email)


def send_outbox(session: Session, *, settings: ReferralSettings, now: datetime | None = None) -> SendReport:
    """Deliver every pending message that is due; record failures and when to try again. Commits per message."""
    now = now or utcnow()
    report = SendReport(errors=[])
    due = session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.next_attempt_at) <= now)
        .order_by(col(OutboxMessage.id))
        .with_for_update(skip_locked=True)
    ).all()
    report.waiting = len(
        session.exec(
            select(OutboxMessage.id).where(col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.next_attempt_at) > now)
        ).all()
    )
    for message in due:
        message.attempts += 1
        try:
            _deliver(message, settings)
        except (OSError, smtplib.SMTPException) as exc:
            # The error's class, not its text: server replies may echo addresses.
            message.last_error = type(exc).__name__[:200]
            message.next_attempt_at = now + _backoff(message.attempts)
            report.failed += 1
            report.errors.append(f"message {message.id}: {message.last_error}")  # type: ignore[union-attr]
        else:
            message.sent_at = utcnow()
            message.last_error = ""
            report.sent += 1
        session.add(message)
        session.commit()
    return report
