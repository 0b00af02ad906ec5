"""How the finish page lists what is still missing: one group per section, each gap once.

A mandatory part ("część") with no answers at all also has its required questions listed as missing; listing
both says the same gap twice. The part's own message stays only when nothing more precise is listed for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.formdefs import LocalText
from app.formdefs.model import FormDefinition


@dataclass(frozen=True)
class ProblemGroup:
    """The gaps of one section, in the order the form checks them."""

    section_id: str
    title: LocalText
    segment: str | None
    mandatory: bool
    problems: list[Any]


def grouped(form: FormDefinition, problems: list[Any]) -> list[ProblemGroup]:
    """Problems grouped by section; a part's "no answers" message dropped where its questions are listed."""
    by_section: dict[str, list[Any]] = {}
    for problem in problems:
        by_section.setdefault(problem.section_id, []).append(problem)
    groups = []
    for section_id, items in by_section.items():
        precise = [p for p in items if p.kind != "segment"]
        if precise:
            items = precise
        seen: set[tuple[str | None, str]] = set()
        unique = []
        for problem in items:
            mark = (problem.answer_key, problem.message.pl)
            if mark not in seen:
                seen.add(mark)
                unique.append(problem)
        section = form.section(section_id)
        groups.append(ProblemGroup(section_id, section.title, section.segment, section.mandatory, unique))
    return groups

