"""Check form definition files and report every problem in plain words (used by CI and `forms check`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.formdefs.loader import check_file
from app.formdefs.model import FormDefinition
from app.formdefs.registry import default_forms_dir, definition_files
from app.formdefs.schema import Problem


def _shown(path: Path) -> Path:
    """A path relative to the working directory when it lies under it, for shorter messages."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def check_paths_with_forms(
    paths: Sequence[Path], *, forms_dir: Path | None = None
) -> list[tuple[Path, FormDefinition | None, list[Problem]]]:
    """Per file: the loaded form (or None) and its problems; no paths means every file under the forms folder."""
    root = default_forms_dir(forms_dir)
    files = list(paths) or [_shown(p) for p in definition_files(root)]
    results: list[tuple[Path, FormDefinition | None, list[Problem]]] = []
    seen: dict[tuple[str, int], Path] = {}
    for path in files:
        if not path.is_file():
            results.append((path, None, [Problem(str(path), "file", "does not exist")]))
            continue
        form, problems = check_file(path, forms_dir=forms_dir if paths else root)
        if form is not None:
            if form.key in seen and seen[form.key].resolve() != path.resolve():
                problems = [
                    Problem(
                        str(path), "form", f"{form.id} v{form.version} is already defined in {seen[form.key]}"
                    )
                ]
                form = None
            else:
                seen[form.key] = path
        results.append((path, form, problems))
    return results


def check_paths(paths: Sequence[Path], *, forms_dir: Path | None = None) -> list[Problem]:
    """All problems in the given definition files (every `*.yaml` under the forms folder when `paths` is empty)."""
    return [p for _, _, problems in check_paths_with_forms(paths, forms_dir=forms_dir) for p in problems]
