"""E-mail notice of new referrals through an outbox table: no personal data, and an outage loses nothing.

A referral adds (or refreshes) one pending notice per office: a count and a link, never names or reasons.
`telewywiad mail send-outbox` delivers what is due; a failed delivery is retried later with a growing pause.
Runs may overlap (cron, a second host): each message is claimed with a lease before it is sent, so it goes once.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, or_, update
from sqlmodel import Session, col, func, select

from app.clock import utcnow
from app.config import ReferralSettings
from app.referrals.models import OutboxAttachment, OutboxMessage, Referral, ReferralState

KIND_NEW_REFERRALS = "new_referrals"
MAX_BACKOFF = timedelta(hours=1)
MIN_LEASE = timedelta(minutes=5)
log = logging.getLogger("telewywiad.mail")


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
            # One being sent right now keeps its text; the new count goes in a fresh notice.
            or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) <= utcnow()),
        )
    ).first()
    message = pending or OutboxMessage(office_id=office_id, kind=KIND_NEW_REFERRALS, recipients="", subject="", body="")
    message.recipients = ", ".join(recipients)
    message.subject = subject
    message.body = body
    session.add(message)
    session.flush()
    return message


def queue_message(session: Session, *, office_id: int | None, kind: str, recipients: str, subject: str, body: str,
                  attachments: tuple[tuple[str, str, str], ...] = ()) -> OutboxMessage:
    """Put one e-mail (with text attachments: filename, content type, content) into the outbox; flushes."""
    message = OutboxMessage(office_id=office_id, kind=kind, recipients=recipients, subject=subject[:200], body=body)
    session.add(message)
    session.flush()
    for filename, content_type, content in attachments:
        session.add(OutboxAttachment(message_id=message.id or 0, filename=filename, content_type=content_type,
                                     content=content))
    session.flush()
    return message


@dataclass
class SendReport:
    """What one outbox run did."""

    sent: int = 0
    failed: int = 0
    waiting: int = 0
    busy: int = 0  # due, but another run holds it
    errors: list[str] | None = None


@dataclass(frozen=True)
class Claim:
    """A message this run has taken: what to send, and the run id that proves the lease is still ours."""

    id: int
    run_id: str
    attempts: int
    recipients: str
    subject: str
    body: str
    # (filename, content type with parameters, text content) of each attachment.
    attachments: tuple[tuple[str, str, str], ...] = ()


def _lease(settings: ReferralSettings) -> timedelta:
    """How long a run holds a message: well past the slowest delivery (connect, STARTTLS, login, send)."""
    return max(MIN_LEASE, timedelta(seconds=settings.smtp_timeout * 10))


def _claimable(now: datetime) -> list[ColumnElement[bool]]:
    """Due, not sent, and not held by a live lease of another run."""
    return [
        col(OutboxMessage.sent_at).is_(None),
        col(OutboxMessage.next_attempt_at) <= now,
        or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) <= now),
    ]


def claim_message(session: Session, message_id: int, *, run_id: str, now: datetime, lease: timedelta) -> Claim | None:
    """Take one message for this run, or None when another run has it or it is no longer due. Commits.

    One conditional UPDATE is the claim, so it is atomic on SQLite (one writer) and on PostgreSQL (a concurrent
    UPDATE of the row waits, then re-checks the condition and changes nothing). The attempt is counted here, so
    a run that crashes mid-delivery still counts towards the back-off.
    """
    claimed = session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, *_claimable(now))
        .values(claimed_until=now + lease, claimed_by=run_id, attempts=col(OutboxMessage.attempts) + 1)
    ).rowcount == 1
    row = None
    if claimed:
        # Columns, not the entity: a stale OutboxMessage in the caller's session must not stand in for the row.
        row = session.exec(
            select(OutboxMessage.attempts, OutboxMessage.recipients, OutboxMessage.subject, OutboxMessage.body)
            .where(col(OutboxMessage.id) == message_id)
        ).one()
    attachments: tuple[tuple[str, str, str], ...] = ()
    if row:
        attachments = tuple(
            (a.filename, a.content_type, a.content)
            for a in session.exec(
                select(OutboxAttachment).where(OutboxAttachment.message_id == message_id).order_by(col(OutboxAttachment.id))
            ).all()
        )
    session.commit()
    return Claim(message_id, run_id, *row, attachments=attachments) if row else None


def _release(session: Session, claim: Claim, values: dict[str, object]) -> bool:
    """Record the outcome and drop the lease, if it is still ours; commits. False when the lease ran out."""
    done = session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == claim.id, col(OutboxMessage.claimed_by) == claim.run_id)
        .values(claimed_until=None, claimed_by="", **values)
    ).rowcount == 1
    session.commit()
    return done


def _deliver(claim: Claim, settings: ReferralSettings) -> None:
    email = EmailMessage()
    email["From"] = settings.smtp_from
    email["To"] = claim.recipients
    email["Subject"] = claim.subject
    email["Message-ID"] = make_msgid(domain="telewywiad")
    email.set_content(claim.body)
    for filename, content_type, content in claim.attachments:
        # Text attachments only (the table holds text): "text/calendar; method=PUBLISH" → subtype and parameters.
        subtype, *params = [part.strip() for part in content_type.removeprefix("text/").split(";")]
        email.add_attachment(content, subtype=subtype, filename=filename,
                             params=dict(p.split("=", 1) for p in params if "=" in p))
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_user, password)
        smtp.send_message(email)


def send_outbox(session: Session, *, settings: ReferralSettings, now: datetime | None = None) -> SendReport:
    """Deliver every pending message that is due, each claimed first so that overlapping runs never send one twice.

    No transaction is open while talking to the mail server: the claim and the outcome are short commits of
    their own. A message whose run dies is taken again once its lease (`_lease`) has run out.
    """
    now = now or utcnow()
    report = SendReport(errors=[])
    run_id = secrets.token_hex(16)
    lease = _lease(settings)
    due = session.exec(select(OutboxMessage.id).where(*_claimable(now)).order_by(col(OutboxMessage.id))).all()
    report.waiting = session.exec(
        select(func.count()).select_from(OutboxMessage)
        .where(col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.next_attempt_at) > now)
    ).one()
    report.busy = session.exec(
        select(func.count()).select_from(OutboxMessage)
        .where(col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.next_attempt_at) <= now,
               col(OutboxMessage.claimed_until) > now)
    ).one()
    session.commit()
    for message_id in due:
        # The lease counts from the claim, not from the start of a run that may have been sending for minutes.
        at = max(now, utcnow())
        claim = claim_message(session, message_id or 0, run_id=run_id, now=at, lease=lease)
        if claim is None:
            report.busy += 1  # taken by another run since we looked
            continue
        try:
            _deliver(claim, settings)
        except (OSError, smtplib.SMTPException) as exc:
            # The error's class, not its text: server replies may echo addresses.
            error = type(exc).__name__[:200]
            _release(session, claim, {"last_error": error, "next_attempt_at": at + _backoff(claim.attempts)})
            report.failed += 1
            report.errors.append(f"message {claim.id}: {error}")  # type: ignore[union-attr]
            continue
        if not _release(session, claim, {"sent_at": utcnow(), "last_error": ""}):
            # Delivered, but so slowly that the lease ran out and another run may deliver it again.
            log.warning("outbox message %s delivered after its lease expired", claim.id)
        report.sent += 1
    return report
