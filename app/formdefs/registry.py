"""All published form versions, loaded and checked once; interviews look up the version they pinned."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from app.formdefs.loader import check_file
from app.formdefs.model import FormDefinition
from app.formdefs.schema import FormDefinitionError, Problem


def default_forms_dir(override: str | Path | None = None) -> Path:
    """The repository's `forms/` folder (next to the `app` package), unless `override` is given."""
    if override is not None:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "forms"


# Folders under forms/ that hold other data than form definitions: the JSON Schemas and the filing guides
# (app/guides loads and checks those itself).
NOT_FORMS = frozenset({"schema", "guides"})


def definition_files(forms_dir: Path) -> list[Path]:
    """Every form definition file under `forms_dir` (`<id>/v<version>.yaml`), in a stable order."""
    return sorted(p for p in forms_dir.rglob("*.yaml") if not NOT_FORMS.intersection(p.relative_to(forms_dir).parts))


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

    @classmethod
    def loaded(cls, path: str | Path | None = None) -> FormRegistry:
        """`from_directory`, but a folder whose files are byte-for-byte the ones loaded before is not read again.

        Every app (each test builds several) needs the same checked forms; loading and checking them takes about
        half a second. The registry is immutable, so sharing it is safe; any changed, added or removed file under
        the folder gives a new key and a full load and check, and a folder with problems raises every time.
        """
        forms_dir = default_forms_dir(path)
        try:
            fingerprint = _fingerprint(forms_dir)
        except OSError:  # a missing folder or an unreadable file: let the full load name the problem
            return cls.from_directory(forms_dir)
        return _loaded(forms_dir, forms_dir.resolve(), fingerprint)

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


def _fingerprint(forms_dir: Path) -> tuple[tuple[str, str], ...]:
    """Every file under the folder with the SHA-256 of its bytes (the schema and variant bases included)."""
    return tuple(
        (str(file.relative_to(forms_dir)), hashlib.sha256(file.read_bytes()).hexdigest())
        for file in sorted(forms_dir.rglob("*"))
        if file.is_file()
    )


@lru_cache(maxsize=8)
def _loaded(forms_dir: Path, resolved: Path, fingerprint: tuple[tuple[str, str], ...]) -> FormRegistry:
    # `resolved` and `fingerprint` only key the cache: the same folder with other bytes is loaded afresh, and
    # the folder is loaded as it was named, so the forms' source paths are the ones from_directory would give.
    return FormRegistry.from_directory(forms_dir)
