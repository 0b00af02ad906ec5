"""Referral tables: flag decisions, referrals (the psychologist's minimum only), contacts, history, mail outbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, Text
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class Priority(StrEnum):
    """How soon the psychologist should call (the form's flag priorities)."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"


PRIORITY_ORDER = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}


class ReferralState(StrEnum):
    """Where the referral is; transitions live in app.referrals.states."""

    NEW = "new"
    ACCEPTED = "accepted"
    CONTACT_ATTEMPTED = "contact_attempted"
    IN_SUPPORT = "in_support"
    CLOSED = "closed"
    RETURNED = "returned"


OPEN_STATES = frozenset({ReferralState.NEW, ReferralState.ACCEPTED, ReferralState.CONTACT_ATTEMPTED, ReferralState.IN_SUPPORT})
# Until the first contact attempt the target time runs; after it the referral is being followed up.
WAITING_STATES = frozenset({ReferralState.NEW, ReferralState.ACCEPTED})


class ReasonCategory(StrEnum):
    """The reason the psychologist sees: a category, never the answers behind it."""

    CRISIS = "crisis"
    VIOLENCE = "violence"
    ANXIETY = "anxiety"
    ISOLATION = "isolation"
    LOSS = "loss"
    BEREAVEMENT = "bereavement"
    ADDICTION = "addiction"
    BASIC_NEEDS = "basic_needs"
    OTHER = "other"


class EmergencyAction(StrEnum):
    """What the worker did when life was in danger."""

    NONE = ""
    CALLED = "called"
    ADVISED = "advised"


class ContactOutcome(StrEnum):
    """Result of one call by the psychologist."""

    REACHED = "reached"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"
    CALL_BACK = "call_back"
    DECLINED = "declined"


class CloseOutcome(StrEnum):
    """How a referral ended."""

    SUPPORT_COMPLETED = "support_completed"
    REFERRED_ELSEWHERE = "referred_elsewhere"
    DECLINED = "declined"
    UNREACHABLE = "unreachable"
    OTHER = "other"


class FlagDecisionKind(StrEnum):
    """The worker's decision on a fired flag."""

    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class Referral(SQLModel, table=True):
    """A request that a psychologist call a person: ONLY what the psychologist needs, plus bookkeeping ids.

    Personal fields come from answers the form shows to psychologists (formdefs.redact) or from what the worker
    types in the referral form; nothing else from the interview is ever copied here.
    """

    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_office_state", "office_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    interview_id: int | None = Field(default=None, foreign_key="interview.id", index=True)
    flag_rule_id: str = Field(default="", max_length=60)

    # What the psychologist sees.
    person_name: str = Field(max_length=200)
    phone: str = Field(max_length=20)
    best_time: str = Field(default="", max_length=120)
    communication_needs: str = Field(default="", max_length=200)
    reason: ReasonCategory = Field(sa_column=Column(String(20), nullable=False))
    worker_note: str = Field(default="", max_length=300)
    priority: Priority = Field(sa_column=Column(String(10), nullable=False))
    raised_by_id: int = Field(foreign_key="user_account.id", index=True)
    worker_contact: str = Field(default="", max_length=120)

    # Consent (verbal, by phone) or, where life was in danger, the emergency step taken instead.
    consent_given: bool = Field(default=False)
    consent_method: str = Field(default="", max_length=20)
    consent_at: datetime | None = Field(default=None)
    consent_recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    emergency_action: EmergencyAction = Field(
        default=EmergencyAction.NONE, sa_column=Column(String(10), nullable=False, server_default="")
    )
    emergency_at: datetime | None = Field(default=None)

    state: ReferralState = Field(default=ReferralState.NEW, sa_column=Column(String(20), nullable=False))
    due_at: datetime
    accepted_by_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    accepted_at: datetime | None = Field(default=None)
    first_contact_at: datetime | None = Field(default=None)
    close_outcome: str = Field(default="", max_length=30)
    closing_note: str = Field(default="", max_length=300)
    return_reason: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ReferralContact(SQLModel, table=True):
    """One contact attempt by the psychologist: when, outcome, a short note."""

    __tablename__ = "referral_contact"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True, ondelete="CASCADE")
    psychologist_id: int = Field(foreign_key="user_account.id")
    at: datetime = Field(default_factory=utcnow)
    outcome: ContactOutcome = Field(sa_column=Column(String(20), nullable=False))
    note: str = Field(default="", max_length=300)


class ReferralTransition(SQLModel, table=True):
    """History of a referral's states: who moved it, when, and the outcome or reason given."""

    __tablename__ = "referral_transition"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True, ondelete="CASCADE")
    action: str = Field(max_length=30)
    from_state: str = Field(default="", max_length=20)
    to_state: str = Field(max_length=20)
    actor_id: int = Field(foreign_key="user_account.id")
    at: datetime = Field(default_factory=utcnow)
    note: str = Field(default="", max_length=300)


class FlagDecision(SQLModel, table=True):
    """The worker confirmed or dismissed a fired flag; valid while the triggering answers are unchanged."""

    __tablename__ = "flag_decision"
    __table_args__ = (Index("ix_flag_decision_interview_rule", "interview_id", "rule_id"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    interview_id: int = Field(foreign_key="interview.id", ondelete="CASCADE")
    rule_id: str = Field(max_length=60)
    decision: FlagDecisionKind = Field(sa_column=Column(String(10), nullable=False))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    # SHA-256 of the triggering answer keys and values: a changed answer re-opens a dismissed flag.
    fingerprint: str = Field(max_length=64)
    referral_id: int | None = Field(default=None, foreign_key="referral.id")
    decided_by_id: int = Field(foreign_key="user_account.id")
    decided_at: datetime = Field(default_factory=utcnow)


class OutboxMessage(SQLModel, table=True):
    """An e-mail waiting to be delivered; a mail-server outage only delays it (telewywiad mail send-outbox)."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_pending", "sent_at", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int | None = Field(default=None, foreign_key="office.id", index=True)
    kind: str = Field(max_length=40)
    recipients: str = Field(sa_column=Column(Text, nullable=False))
    subject: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str = Field(default="", max_length=200)
    sent_at: datetime | None = Field(default=None)
    # A sending run's lease: until then no other run may take the message; a crashed run's lease simply runs out.
    claimed_until: datetime | None = Field(default=None)
    claimed_by: str = Field(default="", max_length=32)


class OutboxAttachment(SQLModel, table=True):
    """A file sent with an outbox message (e.g. an appointment's .ics); deleted with its message."""

    __tablename__ = "mail_outbox_attachment"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="mail_outbox.id", index=True, ondelete="CASCADE")
    filename: str = Field(max_length=100)
    # "text/calendar; method=PUBLISH" and the like: maintype/subtype plus parameters.
    content_type: str = Field(max_length=100)
    content: str = Field(sa_column=Column(Text, nullable=False))
