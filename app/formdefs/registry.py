"""All published form versions, loaded and checked once; interviews look up the version they pinned."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from app.formdefs.loader import FormDefinitionError, Problem, check_file
from app.formdefs.model import FormDefinition


def default_forms_dir(override: str | Path | None = None) -> Path:
    """The repository's `forms/` folder (next to the `app` package), unless `override` is given."""
    if override is not None:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "forms"


def definition_files(forms_dir: Path) -> list[Path]:
    """Every form definition file under `forms_dir` (`<id>/v<version>.yaml`), in a stable order."""
    return sorted(p for p in forms_dir.rglob("*.yaml") if "schema" not in p.relative_to(forms_dir).parts)


class FormRegistry:
    """Immutable lookup of form definitions by (id, version)."""

    def __init__(self, forms: list[FormDefinition]) -> None:
        self._forms: dict[tuple[str, int], FormDefinition] = {}
        problems = []
        for form in forms:
            if form.key in self._forms:
                other = self._forms[form.key].source
                problems.append(
                    Problem(
                        str(form.source), "form", f"{form.id} v{form.version} is already defined in {other}"
                    )
                )
                continue
            self._forms[form.key] = form
        if problems:
            raise FormDefinitionError(problems)

    @classmethod
    def from_directory(cls, path: str | Path | None = None) -> FormRegistry:
        """Load and check every definition under `path` (default: the repository's forms/); raise listing all problems."""
        forms_dir = default_forms_dir(path)
        if not forms_dir.is_dir():
            raise FormDefinitionError([Problem(str(forms_dir), "directory", "does not exist")])
        forms: list[FormDefinition] = []
        problems: list[Problem] = []
        for file in definition_files(forms_dir):
            form, found = check_file(file, forms_dir=forms_dir)
            problems += found
            if form is not None:
                forms.append(form)
        if problems:
            raise FormDefinitionError(problems)
        return cls(forms)

    def get(self, form_id: str, version: int) -> FormDefinition:
        """The exact version an interview pinned; KeyError if it is not published."""
        try:
            return self._forms[(form_id, version)]
        except KeyError:
            raise KeyError(f"form {form_id!r} version {version} is not published") from None

    def has(self, form_id: str, version: int) -> bool:
        """Whether this exact version is among the loaded ones."""
        return (form_id, version) in self._forms

    def versions(self, form_id: str) -> list[int]:
        """Published versions of a form, ascending."""
        return sorted(v for (fid, v) in self._forms if fid == form_id)

    def latest(self, form_id: str) -> FormDefinition:
        """The newest version of a form, for new interviews; KeyError if there is none."""
        versions = self.versions(form_id)
        if not versions:
            raise KeyError(f"form {form_id!r} is not published")
        return self._forms[(form_id, versions[-1])]

    def form_ids(self) -> list[str]:
        """Ids of all published forms."""
        return sorted({fid for fid, _ in self._forms})

    def __iter__(self) -> Iterator[FormDefinition]:
        return iter(self._forms[k] for k in sorted(self._forms))

    def __len__(self) -> int:
        return len(self._forms)
