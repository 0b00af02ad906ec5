"""Guiding an applicant through a filing guide during a call: ticked steps kept on the server, and the outcome
"guided to file electronically" recorded as a call on the case."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app import audit
from app.auth.services import Principal
from app.cases.contact.calls import CallForm, log_call
from app.cases.models import CallAttempt, CallOutcome, Case
from app.errors import InvalidInput
from app.guides.loader import Guide, GuideRegistry
from app.guides.models import GuideProgress

GUIDES_KEY = "telewywiad.guides"


def load_guides(forms_dir: Path | None) -> GuideRegistry:
    """Load and check every guide (forms/guides by default); a broken one raises naming the file and place."""
    return GuideRegistry.from_directory(forms_dir or Path(__file__).resolve().parents[2] / "forms")


def guide_registry() -> GuideRegistry:
    """The guides loaded at start-up (the repository's forms/ outside an app)."""
    if has_app_context() and GUIDES_KEY in current_app.extensions:
        registry: GuideRegistry = current_app.extensions[GUIDES_KEY]
        return registry
    return load_guides(None)


def current_guide(guide_id: str) -> Guide:
    """The newest version of a guide; LookupError when there is no such guide."""
    guide = guide_registry().latest(guide_id)
    if guide is None:
        raise LookupError(guide_id)
    return guide


def open_progress(session: Session, *, worker_id: int, case_id: int, guide_id: str) -> GuideProgress | None:
    """The worker's unfinished walk through this guide for this case, if any."""
    return session.exec(
        select(GuideProgress)
        .where(GuideProgress.case_id == case_id, GuideProgress.worker_id == worker_id,
               GuideProgress.guide_id == guide_id, col(GuideProgress.call_attempt_id).is_(None))
        .order_by(col(GuideProgress.id).desc())
    ).first()


def done_steps(progress: GuideProgress | None) -> list[str]:
    """Ids of the steps ticked."""
    if progress is None:
        return []
    try:
        value = json.loads(progress.steps_done or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def save_steps(session: Session, *, actor: Principal, case: Case, guide: Guide, ticked: Iterable[str],
               now: datetime) -> GuideProgress:
    """Keep which steps are done (the whole set as posted; unknown ids are not steps of this guide)."""
    wanted = set(ticked)
    steps = [s for s in guide.step_ids if s in wanted]
    progress = open_progress(session, worker_id=actor.id, case_id=case.id or 0, guide_id=guide.id)
    if progress is None:
        progress = GuideProgress(office_id=case.office_id, case_id=case.id or 0, worker_id=actor.id, guide_id=guide.id,
                                 guide_version=guide.version, started_at=now)
        session.add(progress)
        session.flush()
        audit.log(session, "guide.start", actor=actor, obj=progress, office_id=case.office_id, case_id=case.id,
                  guide=guide.id, version=guide.version)
    progress.steps_done = json.dumps(steps)
    progress.updated_at = now
    session.add(progress)
    session.flush()
    return progress


@dataclass(frozen=True)
class Summary:
    """How far the walk got: steps done of all."""

    done: int
    total: int


def summary(guide: Guide, progress: GuideProgress | None) -> Summary:
    """Steps done of all, counting only steps of this guide."""
    done = set(done_steps(progress))
    return Summary(sum(1 for s in guide.step_ids if s in done), len(guide.steps))


def default_note(guide: Guide, progress: GuideProgress | None) -> str:
    """The first line of the outcome's note: which guide, and how many of its steps were done."""
    counted = summary(guide, progress)
    return str(_l("Przewodnik: %(title)s (wersja %(v)d). Wykonane kroki: %(done)d z %(total)d.", title=guide.title,
                  v=guide.version, done=counted.done, total=counted.total))


def record_guided(session: Session, *, actor: Principal, case: Case, guide: Guide, number: str, note: str,
                  threshold: int, now: datetime) -> CallAttempt:
    """Record the call with the outcome "guided to file electronically" and close the walk through the guide.

    The note starts with the guide and the steps done as they stand when the outcome is recorded (ticks made
    after the page was opened count), followed by what the worker wrote.
    """
    progress = open_progress(session, worker_id=actor.id, case_id=case.id or 0, guide_id=guide.id)
    if not number:
        raise InvalidInput({"number": str(_l("Wybierz numer, pod który dzwoniono."))})
    written = note.strip()
    full_note = default_note(guide, progress) + (f"\n{written}" if written else "")
    attempt = log_call(session, actor=actor, case=case, threshold=threshold, now=now,
                       form=CallForm(number=number, outcome=CallOutcome.GUIDED_EFILING.value, note=full_note))
    if progress is None:
        progress = GuideProgress(office_id=case.office_id, case_id=case.id or 0, worker_id=actor.id, guide_id=guide.id,
                                 guide_version=guide.version, started_at=now)
    progress.call_attempt_id, progress.updated_at = attempt.id, now
    session.add(progress)
    session.flush()
    audit.log(session, "guide.outcome", actor=actor, obj=progress, office_id=case.office_id, case_id=case.id,
              call_attempt_id=attempt.id, guide=guide.id, version=guide.version, steps_done=len(done_steps(progress)))
    return attempt
