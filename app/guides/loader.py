"""Load the filing guides (forms/guides/<id>/v<version>.yaml): strict YAML, the JSON Schema, then semantic checks.

A broken guide stops start-up with every problem named as `file: item: problem`, like a broken form definition.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.formdefs.schema import Problem, read_yaml, schema_problems, schema_validator

GUIDES_FOLDER = "guides"
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "forms" / "schema" / "guide.schema.json"


class GuideDefinitionError(Exception):
    """Raised when guides cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in filing guides:\n{lines}")


@dataclass(frozen=True)
class Link:
    """An official web address the guide sends people to."""

    label: str
    url: str


@dataclass(frozen=True)
class Step:
    """One step: its title, what is read aloud, a hint for the worker, and whether its details are confirmed."""

    id: str
    title: str
    say: str
    worker_hint: str = ""
    unconfirmed: bool = False


@dataclass(frozen=True)
class Guide:
    """One published version of a guide."""

    id: str
    version: int
    title: str
    summary: str
    steps: tuple[Step, ...]
    order: int = 100
    needs: tuple[str, ...] = ()
    intro: str = ""
    closing: str = ""
    links: tuple[Link, ...] = ()
    reviewed: str = ""
    source: str = ""

    @property
    def step_ids(self) -> tuple[str, ...]:
        """The ids of the steps, in order."""
        return tuple(step.id for step in self.steps)

    @property
    def has_unconfirmed(self) -> bool:
        """True when any step's details still need confirming."""
        return any(step.unconfirmed for step in self.steps)


def _build(data: dict[str, Any], source: str) -> Guide:
    return Guide(
        id=data["id"],
        version=data["version"],
        title=data["title"],
        summary=data["summary"],
        order=data.get("order", 100),
        needs=tuple(data.get("needs", ())),
        intro=data.get("intro", ""),
        closing=data.get("closing", ""),
        reviewed=data.get("reviewed", ""),
        links=tuple(Link(label=link["label"], url=link["url"]) for link in data.get("links", ())),
        steps=tuple(
            Step(id=s["id"], title=s["title"], say=s["say"], worker_hint=s.get("worker_hint", ""),
                 unconfirmed=bool(s.get("unconfirmed", False)))
            for s in data["steps"]
        ),
        source=source,
    )


def check_guide_file(path: Path) -> tuple[Guide | None, list[Problem]]:
    """Load one guide file; returns the guide (None if anything is wrong) and the problems found."""
    file = str(path)
    data, problems = read_yaml(path, file)
    if data is None:
        return None, problems
    problems = schema_problems(data, file, schema_validator(SCHEMA_PATH))
    if problems:
        return None, problems
    if path.parent.name != data["id"] or path.name != f"v{data['version']}.yaml":
        problems.append(Problem(file, "guide", f"the file must be {data['id']}/v{data['version']}.yaml (id/version)"))
    seen: set[str] = set()
    for index, step in enumerate(data["steps"]):
        if step["id"] in seen:
            problems.append(Problem(file, f"steps[{index}] (id={step['id']})", "the step id is used twice"))
        seen.add(step["id"])
    return (None, problems) if problems else (_build(data, file), [])


class GuideRegistry:
    """Every published guide version, by (id, version); lists show the newest version of each."""

    def __init__(self, guides: list[Guide]) -> None:
        self._guides: dict[tuple[str, int], Guide] = {}
        problems: list[Problem] = []
        for guide in guides:
            key = (guide.id, guide.version)
            if key in self._guides:
                problems.append(Problem(guide.source, "guide", f"{guide.id} v{guide.version} is already defined"))
            self._guides[key] = guide
        if problems:
            raise GuideDefinitionError(problems)

    @classmethod
    def from_directory(cls, forms_dir: Path) -> GuideRegistry:
        """Load and check every guide under `forms_dir/guides`; raise naming every problem (none there: empty)."""
        folder = forms_dir / GUIDES_FOLDER
        guides: list[Guide] = []
        problems: list[Problem] = []
        for path in sorted(folder.rglob("*.yaml")) if folder.is_dir() else []:
            guide, found = check_guide_file(path)
            problems += found
            if guide is not None:
                guides.append(guide)
        if problems:
            raise GuideDefinitionError(problems)
        return cls(guides)

    def latest(self, guide_id: str) -> Guide | None:
        """The newest version of a guide, or None when there is no such guide."""
        versions = [v for (gid, v) in self._guides if gid == guide_id]
        return self._guides[(guide_id, max(versions))] if versions else None

    def current(self) -> list[Guide]:
        """The newest version of every guide, in the guides' own order."""
        ids = sorted({gid for gid, _ in self._guides})
        latest = [self.latest(gid) for gid in ids]
        return sorted((g for g in latest if g is not None), key=lambda g: (g.order, g.id))

    def __iter__(self) -> Iterator[Guide]:
        return iter(self._guides[k] for k in sorted(self._guides))

    def __len__(self) -> int:
        return len(self._guides)
