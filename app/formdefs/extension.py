"""The form registry as a Flask extension: loaded once by create_app, read by every feature through form_registry()."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import current_app, has_app_context

from app.formdefs import (
    FormRegistry,
)

FORMS_KEY = "telewywiad.forms"


# --------------------------------------------------------------------------- forms


def load_forms(forms_dir: str | Path | None) -> FormRegistry:
    """Load and check every published form (once per unchanged folder); raises FormDefinitionError naming each problem."""
    return FormRegistry.loaded(forms_dir)


@cache
def _default_registry() -> FormRegistry:
    return FormRegistry.from_directory(None)


def form_registry() -> FormRegistry:
    """The registry loaded at start-up (settings `forms_dir`), or the repository's forms/ outside an app."""
    if has_app_context() and FORMS_KEY in current_app.extensions:
        registry: FormRegistry = current_app.extensions[FORMS_KEY]
        return registry
    return _default_registry()
