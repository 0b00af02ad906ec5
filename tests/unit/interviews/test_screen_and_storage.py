"""Pure pieces of the runner: answer-block ids, raw input normalisation and what a field shows as chosen."""

from __future__ import annotations

import json

from app.formdefs import FormRegistry
from app.interviews.answer_store import normalise as _normalise
from app.interviews.answers import raw_of
from app.interviews.models import Answer
from app.interviews.screen import FieldView, dom_id

FORM = FormRegistry.from_directory(None).latest("rws")


def test_dom_id_of_member_key_is_css_safe() -> None:
    """Dots of member keys become dashes, so `#id` selectors and links work."""
    assert dom_id("household.2.member_name") == "q-household-2-member_name"
    assert dom_id("full_name") == "q-full_name"


def test_multiple_choice_raw_is_stored_as_json_and_read_back_as_list() -> None:
    """Checked boxes keep their order and blanks are dropped; reading the row gives the list again."""
    question = FORM.question("needs")
    checked, stored = _normalise(question, ["food", "", "other"])
    assert checked == ["food", "other"] and json.loads(stored) == ["food", "other"]
    row = Answer(interview_id=1, key="needs", raw=stored, updated_by_id=1)
    assert raw_of(question, row) == ["food", "other"]
    assert _normalise(question, [])[1] == ""


def test_single_value_raw_is_kept_exactly_as_typed() -> None:
    """Text keeps spaces and letters as typed (the validators normalise the value, not the raw)."""
    question = FORM.question("postcode")
    assert _normalise(question, ["  00 95O "]) == ("  00 95O ", "  00 95O ")


def test_yes_no_field_shows_polish_words_as_chosen() -> None:
    """A pre-filled "tak"/"nie" or stored yes/no checks the right radio button."""
    question = FORM.question("safe_to_talk")
    assert FieldView("safe_to_talk", question, "tak", None, True, 1, True).chosen == ["yes"]
    assert FieldView("safe_to_talk", question, "no", None, True, 1, True).chosen == ["no"]
    assert FieldView("safe_to_talk", question, None, None, True, 0, False).chosen == []
