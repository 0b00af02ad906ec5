"""Fixtures for the form engine tests: inline YAML written to tmp_path, and the shipped RWS definitions."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from app.formdefs import FormDefinition, FormRegistry, load_form

TODAY = dt.date(2020, 4, 15)

MINIMAL = """
id: demo
version: 1
title: {pl: "Demo", en: "Demo"}
sections:
  - id: main
    title: {pl: "Główna", en: "Main"}
    questions:
"""


@pytest.fixture
def forms_dir(tmp_path: Path) -> Path:
    """An empty forms directory."""
    path = tmp_path / "forms"
    path.mkdir()
    return path


@pytest.fixture
def write_form(forms_dir: Path) -> Callable[..., Path]:
    """Write YAML text as forms/<id>/v<version>.yaml and return the path."""

    def write(text: str, form_id: str = "demo", version: int = 1, name: str | None = None) -> Path:
        folder = forms_dir / form_id
        folder.mkdir(exist_ok=True)
        path = folder / (name or f"v{version}.yaml")
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


@pytest.fixture
def questions_form(write_form: Callable[..., Path]) -> Callable[[str], Path]:
    """Write the minimal demo form with the given (indented) question YAML."""

    def write(questions: str, extra: str = "") -> Path:
        body = textwrap.indent(textwrap.dedent(questions).strip("\n"), " " * 6)
        return write_form(MINIMAL + body + "\n" + textwrap.dedent(extra))

    return write


@pytest.fixture(scope="session")
def registry() -> FormRegistry:
    """The shipped forms/ directory."""
    return FormRegistry.from_directory()


@pytest.fixture(scope="session")
def rws(registry: FormRegistry) -> FormDefinition:
    """The shipped RWS v1."""
    return registry.get("rws", 1)


@pytest.fixture(scope="session")
def rws_update(registry: FormRegistry) -> FormDefinition:
    """The shipped RWS update variant v1."""
    return registry.get("rws-update", 1)


@pytest.fixture
def loaded(questions_form: Callable[..., Path]) -> Callable[..., FormDefinition]:
    """Write and load a demo form from question YAML."""

    def load(questions: str, extra: str = "") -> FormDefinition:
        return load_form(questions_form(questions, extra))

    return load
