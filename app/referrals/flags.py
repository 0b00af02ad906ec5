"""Flag review: the rules an interview fired, the worker's decisions on them, dismissing one with a reason."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app import audit
from app.auth.services import Principal
from app.clock import utcnow
from app.errors import InvalidInput
from app.formdefs import (
    Evaluation,
    FiredFlag,
    FormDefinition,
    LocalText,
    evaluate,
    fired_flags,
)
from app.formdefs.keys import parse_key
from app.interviews.answers import form_of, load_answers
from app.interviews.models import Interview
from app.referrals import flag_causes
from app.referrals.helplines import Helpline, Helplines
from app.referrals.models import (
    FlagDecision,
    FlagDecisionKind,
    Priority,
    Referral,
)
from app.referrals.office_settings import office_helplines
from app.referrals.queries import user_names

# --------------------------------------------------------------------------- the interview's form and answers


# --------------------------------------------------------------------------- flag review


def fingerprint(answers: Mapping[str, Any], keys: Iterable[str]) -> str:
    """Digest of the triggering answers: a dismissal holds only while these stay the same."""
    payload = json.dumps([[k, answers.get(k)] for k in sorted(keys)], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def answer_label(form: FormDefinition, key: str, lang: str = "pl") -> str:
    """The question label of an answer key (members of a repeat group get their number), never the value."""
    parsed = parse_key(key)
    label = form.question(parsed.question_id).label.get(lang)
    if parsed.index is not None:
        return str(_l("%(label)s (osoba %(n)s)", label=label, n=parsed.index + 1))
    return label


def life_in_danger(flag: FiredFlag) -> bool:
    """An urgent flag with crisis guidance (suicidal thoughts or plans): the screen sends the worker to 112."""
    return flag.priority == Priority.URGENT and flag.guidance == "crisis"


@dataclass
class FlagView:
    """A fired flag as the worker sees it: why, what to do, and any decision already taken."""

    flag: FiredFlag
    labels: list[str]
    fingerprint: str
    decision: FlagDecision | None
    decided_by: str
    helplines: list[Helpline]
    guidance: LocalText | None
    referral_id: int | None = None

    @property
    def urgent(self) -> bool:
        """Shown with the crisis guidance open."""
        return self.flag.priority == Priority.URGENT

    @property
    def life_in_danger(self) -> bool:
        """See life_in_danger()."""
        return life_in_danger(self.flag)


@dataclass
class FlagReview:
    """Everything the flags panel shows for one interview."""

    interview: Interview
    flags: list[FlagView]
    referrals: list[Referral] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        """Flags still waiting for the worker's decision."""
        return sum(1 for f in self.flags if f.decision is None)


def current_decisions(session: Session, interview_id: int) -> dict[str, FlagDecision]:
    rows = session.exec(
        select(FlagDecision).where(FlagDecision.interview_id == interview_id).order_by(col(FlagDecision.id))
    ).all()
    return {row.rule_id: row for row in rows}  # the latest decision per rule wins


def review_flags(
    session: Session, *, interview: Interview, helplines: Helplines, lang: str = "pl",
    answers: Mapping[str, Any] | None = None, evaluation: Evaluation | None = None,
) -> FlagReview:
    """Fired flags of the interview, most urgent first, each naming its triggering questions and its decision.

    `answers` and their `evaluation` are passed by an autosave that has them already (read once per request).
    """
    assert interview.id is not None  # noqa: S101
    form = form_of(interview)
    if answers is None:
        answers = load_answers(session, interview.id)
    evaluation = evaluation or evaluate(form, answers)
    decisions = current_decisions(session, interview.id)
    names = user_names(session, [d.decided_by_id for d in decisions.values()])
    views = []
    for flag in fired_flags(form, answers, evaluation=evaluation):
        digest = fingerprint(answers, flag.triggered_by)
        decision = decisions.get(flag.rule_id)
        # A confirmed flag stays confirmed (its referral exists); a dismissal lapses when the answers change.
        if decision is not None and decision.decision == FlagDecisionKind.DISMISSED and decision.fingerprint != digest:
            decision = None
        guidance_key = flag.guidance
        views.append(
            FlagView(
                flag=flag,
                labels=[answer_label(form, key, lang)
                        for key in flag_causes.causes(form, answers, flag, evaluation=evaluation)],
                fingerprint=digest,
                decision=decision,
                decided_by=names.get(decision.decided_by_id, "") if decision else "",
                helplines=helplines.for_guidance(guidance_key),
                guidance=helplines.guidance.get(guidance_key) if guidance_key else None,
                referral_id=decision.referral_id if decision else None,
            )
        )
    referrals = list(
        session.exec(select(Referral).where(Referral.interview_id == interview.id).order_by(col(Referral.id))).all()
    )
    return FlagReview(interview=interview, flags=views, referrals=referrals)


def interview_review(
    session: Session, *, interview: Interview, lang: str = "pl",
    answers: Mapping[str, Any] | None = None, evaluation: Evaluation | None = None,
) -> FlagReview:
    """The flags panel of an interview with its office's helplines in service today (the runner's banner)."""
    return review_flags(session, interview=interview, helplines=office_helplines(session, interview.office_id),
                        lang=lang, answers=answers, evaluation=evaluation)


def fired_flag(session: Session, interview: Interview, rule_id: str) -> tuple[FiredFlag, str] | None:
    """The flag if it fires now, with the fingerprint of its triggering answers; None when it does not fire."""
    assert interview.id is not None  # noqa: S101
    answers = load_answers(session, interview.id)
    for flag in fired_flags(form_of(interview), answers):
        if flag.rule_id == rule_id:
            return flag, fingerprint(answers, flag.triggered_by)
    return None


def any_life_in_danger(session: Session, interview: Interview) -> bool:
    """Whether an urgent crisis flag fires in this interview now."""
    assert interview.id is not None  # noqa: S101
    return any(life_in_danger(f) for f in fired_flags(form_of(interview), load_answers(session, interview.id)))


def dismiss_flag(
    session: Session, *, actor: Principal, interview: Interview, rule_id: str, reason: str
) -> FlagDecision:
    """Record that the worker dismissed a fired flag, with the reason; it stays dismissed while its answers stay."""
    reason = reason.strip()
    if len(reason) < 3:
        raise InvalidInput({"reason": str(_l("Podaj powód odrzucenia sygnału (np. „osoba ma już opiekę psychologa”)."))})
    if len(reason) > 500:
        raise InvalidInput({"reason": str(_l("Powód może mieć najwyżej 500 znaków."))})
    found = fired_flag(session, interview, rule_id)
    if found is None:
        raise InvalidInput({"reason": str(_l("Ten sygnał już nie występuje – odpowiedzi się zmieniły."))})
    _, digest = found
    latest = current_decisions(session, interview.id or 0).get(rule_id)
    if latest is not None and latest.decision == FlagDecisionKind.CONFIRMED:
        raise InvalidInput({"reason": str(_l("Ten sygnał już potwierdzono i wysłano skierowanie."))})
    decision = FlagDecision(
        office_id=interview.office_id,
        interview_id=interview.id or 0,
        rule_id=rule_id,
        decision=FlagDecisionKind.DISMISSED,
        reason=reason,
        fingerprint=digest,
        decided_by_id=actor.id,
        decided_at=utcnow(),
    )
    session.add(decision)
    session.flush()
    audit.log(session, "referral.flag_dismissed", actor=actor, obj=interview, rule_id=rule_id, decision_id=decision.id)
    return decision
