"""FormRegistry.loaded: an unchanged forms folder is loaded and checked once; any change is loaded afresh."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.formdefs import FormDefinitionError, FormRegistry
from app.formdefs.extension import load_forms

QUESTION = "- {id: q, type: text, label: {pl: Pytanie, en: Question}}"


def test_unchanged_folder_gives_the_same_registry(questions_form: Callable[..., Path], forms_dir: Path) -> None:
    """Every create_app of a run shares one checked registry while the files stay byte-for-byte the same."""
    questions_form(QUESTION)
    first = FormRegistry.loaded(forms_dir)
    assert FormRegistry.loaded(forms_dir) is first
    assert load_forms(forms_dir) is first
    assert first.get("demo", 1).title.pl == "Demo"


def test_changed_added_or_removed_file_is_loaded_afresh(
    questions_form: Callable[..., Path], write_form: Callable[..., Path], forms_dir: Path
) -> None:
    """The cache key is every file's bytes: an edit, a new version or a removed one is a new load."""
    path = questions_form(QUESTION)
    first = FormRegistry.loaded(forms_dir)
    path.write_text(path.read_text(encoding="utf-8").replace('pl: "Demo"', 'pl: "Demo zmienione"'), encoding="utf-8")
    edited = FormRegistry.loaded(forms_dir)
    assert edited is not first
    assert edited.get("demo", 1).title.pl == "Demo zmienione"
    second = write_form(path.read_text(encoding="utf-8").replace("version: 1", "version: 2"), "demo", 2)
    assert FormRegistry.loaded(forms_dir).versions("demo") == [1, 2]
    second.unlink()
    assert FormRegistry.loaded(forms_dir).versions("demo") == [1]


def test_broken_folder_raises_every_time(questions_form: Callable[..., Path], forms_dir: Path) -> None:
    """A broken definition is never cached: start-up keeps refusing it, and a fixed file loads again."""
    path = questions_form(QUESTION)
    good = path.read_text(encoding="utf-8")
    FormRegistry.loaded(forms_dir)
    path.write_text(good.replace("type: text", "type: texty"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(FormDefinitionError, match="texty"):
            FormRegistry.loaded(forms_dir)
    path.write_text(good, encoding="utf-8")
    assert FormRegistry.loaded(forms_dir).get("demo", 1).title.pl == "Demo"


def test_missing_folder_is_reported_as_by_from_directory(tmp_path: Path) -> None:
    """No folder: the same problem as a full load names."""
    with pytest.raises(FormDefinitionError, match="does not exist"):
        FormRegistry.loaded(tmp_path / "nowhere")
