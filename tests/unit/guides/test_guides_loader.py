"""Filing guides are versioned data files checked like forms: a broken one is named by file and place."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from app.formdefs.registry import FormRegistry, default_forms_dir, definition_files
from app.guides.loader import GuideDefinitionError, GuideRegistry, check_guide_file

GOOD = """\
id: proba
version: 1
title: "Próba"
summary: "Krótki opis."
steps:
  - id: pierwszy
    title: "Pierwszy krok"
    say: "Proszę otworzyć stronę."
  - id: drugi
    title: "Drugi krok"
    say: "Proszę nacisnąć „Wyślij”."
    unconfirmed: true
"""


def _write(root: Path, relative: str, text: str) -> Path:
    path = root / "guides" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_repository_guides_load_and_cover_the_four_topics() -> None:
    """Profil Zaufany, ePUAP, Emp@tia and e-mailed scans, each with unconfirmed steps marked."""
    registry = GuideRegistry.from_directory(default_forms_dir())
    assert [g.id for g in registry.current()] == ["profil-zaufany", "epuap", "empatia", "email-skany"]
    assert all(g.has_unconfirmed and len(g.steps) >= 5 for g in registry.current())


def test_the_form_registry_ignores_the_guides_folder() -> None:
    """Guides sit under forms/ but are not form definitions: the form registry never reads them."""
    files = definition_files(default_forms_dir())
    assert files and not any("guides" in f.parts for f in files)
    assert {f.id for f in FormRegistry.from_directory(None)} == {"rws", "rws-update"}


def test_a_valid_guide_is_built_with_its_steps(tmp_path: Path) -> None:
    """Steps keep their order, texts and the unconfirmed mark."""
    guide, problems = check_guide_file(_write(tmp_path, "proba/v1.yaml", GOOD))
    assert problems == [] and guide is not None
    assert guide.step_ids == ("pierwszy", "drugi") and guide.steps[1].unconfirmed


def test_broken_yaml_is_named_by_file_and_line(tmp_path: Path) -> None:
    """An unclosed quote: the problem says which file and which line."""
    path = _write(tmp_path, "proba/v1.yaml", GOOD.replace('"Krótki opis."', '"Krótki opis.'))
    with pytest.raises(GuideDefinitionError) as caught:
        GuideRegistry.from_directory(tmp_path)
    message = str(caught.value)
    assert str(path) in message and "line" in message and "invalid YAML" in message


def test_a_step_without_its_text_is_named_by_item_and_key(tmp_path: Path) -> None:
    """The second step lacks `say`: the problem points at steps[1] (id=drugi)."""
    path = _write(tmp_path, "proba/v1.yaml", GOOD.replace('    say: "Proszę nacisnąć „Wyślij”."\n', ""))
    guide, problems = check_guide_file(path)
    assert guide is None
    assert [str(p) for p in problems] == [f"{path}: steps[1] (id=drugi): missing required key 'say'"]


def test_unknown_keys_duplicate_step_ids_and_a_wrong_file_name_are_refused(tmp_path: Path) -> None:
    """Each problem is listed; nothing of the file is used."""
    bad_key = _write(tmp_path, "proba/v1.yaml", GOOD.replace("summary:", "sumary:"))
    assert "unknown key 'sumary' (did you mean 'summary'?)" in str(check_guide_file(bad_key)[1])
    twice = _write(tmp_path, "proba/v1.yaml", GOOD.replace("id: drugi", "id: pierwszy"))
    assert "the step id is used twice" in str(check_guide_file(twice)[1])
    misnamed = _write(tmp_path, "inny/v2.yaml", GOOD)
    assert "the file must be proba/v1.yaml" in str(check_guide_file(misnamed)[1])


def test_a_link_must_be_https(tmp_path: Path) -> None:
    """Residents are sent only to https addresses."""
    path = _write(tmp_path, "proba/v1.yaml", GOOD + 'links:\n  - label: "Strona"\n    url: "http://epuap.gov.pl"\n')
    assert "links[0]" in str(check_guide_file(path)[1])


def test_a_new_version_becomes_the_current_one(tmp_path: Path) -> None:
    """v2 next to v1: lists show v2; v1 stays readable for records that name it."""
    _write(tmp_path, "proba/v1.yaml", GOOD)
    _write(tmp_path, "proba/v2.yaml", GOOD.replace("version: 1", "version: 2").replace("Próba", "Próba 2"))
    registry = GuideRegistry.from_directory(tmp_path)
    assert [(g.id, g.version) for g in registry.current()] == [("proba", 2)] and len(registry) == 2


def test_the_app_refuses_to_start_with_a_broken_guide(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    """create_app stops with the file and the place named (like a broken form definition)."""
    from app import create_app

    forms = tmp_path / "forms"
    shutil.copytree(default_forms_dir(), forms)
    broken = forms / "guides" / "epuap" / "v1.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("    say:", "    powiedz:", 1), encoding="utf-8")
    settings.forms_dir = forms
    with pytest.raises(GuideDefinitionError) as caught:
        create_app(settings)
    assert f"{broken}: steps[0] (id=open_epuap)" in str(caught.value)
