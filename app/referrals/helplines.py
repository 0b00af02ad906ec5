"""Helplines and guidance texts shown with risk flags: configuration data in forms/helplines.yml, checked at load."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from app.formdefs.model import LocalText

GUIDANCE_KEYS = ("crisis", "niebieska_karta", "basic_needs")
_NUMBER = re.compile(r"^\d[\d ]{1,14}\d$")


class HelplinesError(ValueError):
    """The helplines file cannot be used; the message lists every problem."""


@dataclass(frozen=True)
class Helpline:
    """One telephone number offered to a person in crisis; a number may run only for a while (valid from/until)."""

    id: str
    number: str
    name: LocalText
    hours: LocalText
    show_with: frozenset[str]
    emergency: bool = False
    valid_from: date | None = None
    valid_until: date | None = None

    @property
    def tel(self) -> str:
        """The `tel:` URI (digits only)."""
        return "tel:" + self.number.replace(" ", "")

    def active_on(self, day: date) -> bool:
        """Whether the number is in service on the day (both ends included)."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class Helplines:
    """All helplines and the guidance text per flag guidance key."""

    lines: tuple[Helpline, ...]
    guidance: dict[str, LocalText]

    def for_guidance(self, key: str | None) -> list[Helpline]:
        """Numbers to show with a flag of this guidance key (emergency first, as in the file)."""
        if key is None:
            return []
        return [line for line in self.lines if key in line.show_with]

    def on(self, day: date) -> Helplines:
        """Only the numbers in service on the day (the emergency number always stays)."""
        return Helplines(tuple(line for line in self.lines if line.emergency or line.active_on(day)), self.guidance)

    @property
    def emergency(self) -> Helpline:
        """The emergency number (112)."""
        return next(line for line in self.lines if line.emergency)


def _text(value: Any, where: str, problems: list[str]) -> LocalText:
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) and value.get(k) for k in ("pl", "en")):
        problems.append(f"{where}: needs non-empty texts 'pl' and 'en'")
        return LocalText("", "")
    return LocalText(value["pl"], value["en"])


def parse_helplines(data: Any, source: str = "helplines") -> Helplines:
    """Build and check helplines from parsed YAML; raise HelplinesError naming every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise HelplinesError(f"{source}: expected a mapping with 'helplines' and 'guidance'")
    lines: list[Helpline] = []
    seen: set[str] = set()
    raw_lines = data.get("helplines")
    if not isinstance(raw_lines, list) or not raw_lines:
        problems.append(f"{source}: 'helplines' must be a non-empty list")
        raw_lines = []
    for index, item in enumerate(raw_lines):
        where = f"{source}: helplines[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        line_id = str(item.get("id", ""))
        if not re.fullmatch(r"[a-z0-9_]+", line_id):
            problems.append(f"{where}: id must be a-z, 0-9 or _")
        elif line_id in seen:
            problems.append(f"{where}: id {line_id!r} is used twice")
        seen.add(line_id)
        number = item.get("number")
        if not isinstance(number, str) or not _NUMBER.match(number):
            problems.append(f"{where}: number must be digits (spaces allowed), e.g. \"800 70 2222\"")
            number = ""
        show_with = item.get("show_with")
        if not isinstance(show_with, list) or not show_with or not set(show_with) <= set(GUIDANCE_KEYS):
            problems.append(f"{where}: show_with must list some of {', '.join(GUIDANCE_KEYS)}")
            show_with = []
        lines.append(
            Helpline(
                id=line_id,
                number=number,
                name=_text(item.get("name"), f"{where}.name", problems),
                hours=_text(item.get("hours"), f"{where}.hours", problems),
                show_with=frozenset(show_with),
                emergency=bool(item.get("emergency", False)),
            )
        )
    if sum(1 for line in lines if line.emergency) != 1:
        problems.append(f"{source}: exactly one helpline must be marked emergency: true (112)")
    guidance_raw = data.get("guidance")
    guidance: dict[str, LocalText] = {}
    if not isinstance(guidance_raw, dict):
        problems.append(f"{source}: 'guidance' must map {', '.join(GUIDANCE_KEYS)} to texts")
        guidance_raw = {}
    for key in GUIDANCE_KEYS:
        guidance[key] = _text(guidance_raw.get(key), f"{source}: guidance.{key}", problems)
    for key in guidance_raw:
        if key not in GUIDANCE_KEYS:
            problems.append(f"{source}: guidance.{key}: unknown key (known: {', '.join(GUIDANCE_KEYS)})")
    if problems:
        raise HelplinesError("\n".join(problems))
    return Helplines(tuple(lines), guidance)


@functools.cache
def load_helplines(path: Path) -> Helplines:
    """Read and check the helplines file once per process."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise HelplinesError(f"{path}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise HelplinesError(f"{path}: is not valid YAML ({exc})") from None
    return parse_helplines(data, str(path))
