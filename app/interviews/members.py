"""Household members (repeat groups): adding one, removing one (later members move up)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from app import audit
from app.auth.services import Principal
from app.formdefs import (
    Question,
    answer_key,
    evaluate,
)
from app.formdefs.keys import remove_member
from app.interviews.answers import Raw, answer_rows, decoded, form_of, raw_of
from app.interviews.autosave import check_writable, question_of, write_answer
from app.interviews.errors import InterviewError
from app.interviews.models import Interview


def _member_keys(group: Question, index: int) -> list[str]:
    return [answer_key(m.id, group.id, index) for m in group.questions if m.holds_answer]


def change_members(
    session: Session, *, actor: Principal, interview: Interview, group_id: str, add: bool, index: int | None = None
) -> int:
    """Add a member to a repeat group, or remove member `index` (later members move up); returns the new count."""
    form = form_of(interview)
    group = question_of(form, group_id)
    if group.type != "repeat" or group.group is not None:
        raise InterviewError(str(_l("To nie jest lista osób.")))
    check_writable(interview, group)
    assert interview.id is not None  # noqa: S101
    rows = answer_rows(session, interview.id)
    count = evaluate(form, decoded(rows)).counts.get(group.id, 0)
    if add:
        if group.max_count is not None and count >= group.max_count:
            raise InterviewError(str(_l("Lista jest pełna (najwyżej %(n)s).", n=group.max_count)), 409)
        new_count = count + 1
    else:
        if index is None or not 0 <= index < count:
            raise InterviewError(str(_l("Tej osoby nie ma już na liście.")), 409)
        # The engine's rule (formdefs.keys.remove_member) applied to what was typed, invalid answers included.
        typed: dict[str, Raw | int] = {group.id: count}
        for position in range(count):
            for member in group.questions:
                if member.holds_answer:
                    key = answer_key(member.id, group.id, position)
                    typed[key] = raw_of(member, rows.get(key))
        moved = remove_member(form, typed, group.id, index)
        for position in range(index, count - 1):
            for key in _member_keys(group, position):
                _change(session, actor, interview, key, moved.get(key))
        for key in _member_keys(group, count - 1):
            if key in rows and rows[key].raw:
                _change(session, actor, interview, key, None)
        new_count = int(moved[group.id])
    write_answer(session, actor, interview, form, group.id, str(new_count), client_id="", answers=None)
    interview.current_section = group.section
    session.add(interview)
    audit.log(session, "answer.change", actor=actor, obj=interview, key=group.id, members=new_count)
    return new_count


def _change(session: Session, actor: Principal, interview: Interview, key: str, raw: Raw) -> None:
    form = form_of(interview)
    write_answer(session, actor, interview, form, key, raw, client_id="", answers=None)
