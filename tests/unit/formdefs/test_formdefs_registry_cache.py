"""FormRegistry.loaded: an unchanged forms folder is loaded and checked once; any change is loaded afresh."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.formdefs import FormDefinitionError, FormRegistry
from app.interviews.services import load_forms

FORM = """
id: base
version: 1
title: {pl: "Baza", en: "Base"}
sections:
  - id: one
    title: {pl: "a", en: "a"}
    questions:
      - {id: q, type: text, label: {pl: "Pytanie", en: "Question"}}
"""


def test_unchanged_folder_gives_the_same_registry(write_form: Callable[..., Path], forms_dir: Path) -> None:
    """Every create_app of a run shares one checked registry while the files stay byte-for-byte the same."""
    write_form(FORM, "base")
    first = FormRegistry.loaded(forms_dir)
    assert FormRegistry.loaded(forms_dir) is first
    assert load_forms(forms_dir) is first
    assert first.get("base", 1).title.pl == "Baza"


def test_changed_added_or_removed_file_is_loaded_afresh(write_form: Callable[..., Path], forms_dir: Path) -> None:
    """The cache key is every file's bytes: an edit, a new version or a removed one is a new load."""
    path = write_form(FORM, "base")
    first = FormRegistry.loaded(forms_dir)
    path.write_text(FORM.replace('pl: "Baza"', 'pl: "Baza zmieniona"'), encoding="utf-8")
    edited = FormRegistry.loaded(forms_dir)
    assert edited is not first
    assert edited.get("base", 1).title.pl == "Baza zmieniona"
    second = write_form(FORM.replace("version: 1", "version: 2"), "base", 2)
    assert FormRegistry.loaded(forms_dir).versions("base") == [1, 2]
    second.unlink()
    assert FormRegistry.loaded(forms_dir).versions("base") == [1]


def test_broken_folder_raises_every_time(write_form: Callable[..., Path], forms_dir: Path) -> None:
    """A broken definition is never cached: start-up keeps refusing it, and a fixed file loads again."""
    path = write_form(FORM, "base")
    FormRegistry.loaded(forms_dir)
    path.write_text(FORM.replace("type: text", "type: texty"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(FormDefinitionError, match="texty"):
            FormRegistry.loaded(forms_dir)
    path.write_text(FORM, encoding="utf-8")
    assert FormRegistry.loaded(forms_dir).get("base", 1).title.pl == "Baza"


def test_missing_folder_is_reported_as_by_from_directory(tmp_path: Path) -> None:
    """No folder: the same problem as a full load names."""
    with pytest.raises(FormDefinitionError, match="does not exist"):
        FormRegistry.loaded(tmp_path / "nowhere")
