"""The one reading of a posted form into the dataclass of what was typed (app/web/forms.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from app.web.forms import PostedForm


@dataclass
class _Form(PostedForm):
    name: str = ""
    kind: str = "default"
    urgent: bool = False
    items: list[str] = field(default_factory=lambda: ["kept"])


def test_text_fields_are_kept_verbatim_and_missing_ones_are_empty() -> None:
    form = _Form.from_mapping(MultiDict({"name": "  Zażółć  ", "other": "ignored"}))
    assert form == _Form(name="  Zażółć  ", kind="", urgent=False, items=["kept"])


def test_a_checkbox_is_ticked_by_what_the_pages_post() -> None:
    assert _Form.from_mapping({"urgent": "1"}).urgent
    assert _Form.from_mapping({"urgent": "on"}).urgent
    assert not _Form.from_mapping({"urgent": "0"}).urgent
    assert not _Form.from_mapping({}).urgent


def test_other_fields_keep_their_defaults_for_the_form_to_fill() -> None:
    assert _Form.from_mapping({"items": "x"}).items == ["kept"]
