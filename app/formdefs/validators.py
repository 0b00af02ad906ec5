"""Answer validation and storage: the one source of truth for inline checks, autosave and completion."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
from stdnum.pl import pesel as stdnum_pesel

from app.clock import local_today
from app.dates import day_text
from app.fields import FieldProblem, ascii_digits, check_length, display_phone, phone_e164
from app.formdefs.expr_values import Context
from app.formdefs.model import LocalText, Question

Raw = str | list[str] | None
YES = frozenset({"yes", "tak", "true", "1", "t", "y"})
NO = frozenset({"no", "nie", "false", "0", "n"})
# Longest text answer (characters, line breaks counted once); longer ones are refused, never cut.
TEXT_MAX = 10_000
# Types whose input is read as digits (app.fields.ascii_digits: NFKC, then only 0-9) before parsing.
DIGIT_TYPES = frozenset({"integer", "money", "date", "time", "datetime", "phone", "pesel", "postcode"})


@dataclass(frozen=True)
class Result:
    """Outcome of validating one answer: a normalised typed value, or a bilingual error."""

    value: Any = None
    error: LocalText | None = None

    @property
    def ok(self) -> bool:
        """Whether the answer is acceptable."""
        return self.error is None


class _Invalid(Exception):
    def __init__(self, pl: str, en: str) -> None:
        super().__init__(en)
        self.text = LocalText(pl, en)


# --------------------------------------------------------------------------- parsers per type

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")


def _limited(text: str) -> str:
    try:
        check_length(text, TEXT_MAX)
    except FieldProblem as exc:
        raise _Invalid(exc.pl, exc.en) from None
    return text


def _text(raw: str) -> str:
    return _limited(raw).strip()


def _longtext(raw: str) -> str:
    return _limited(raw.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _integer(raw: str) -> int:
    compact = _SPACES.sub("", raw)
    if not re.fullmatch(r"[-+]?[0-9]{1,15}", compact):
        raise _Invalid("Podaj liczbę całkowitą.", "Enter a whole number.")
    return int(compact)


def _money(raw: str) -> Decimal:
    compact = _SPACES.sub("", raw)
    compact = re.sub(r"(?i)(zł|zl|pln)$", "", compact)
    if compact.startswith("-"):
        raise _Invalid("Kwota nie może być ujemna.", "The amount cannot be negative.")
    if not re.fullmatch(r"[0-9][0-9.,]*", compact):
        raise _Invalid("Podaj kwotę w złotych, np. 1234,50.", "Enter an amount in PLN, e.g. 1234.50.")
    # The last separator is the decimal one when both kinds are used; a lone repeated one groups thousands.
    commas, dots = compact.count(","), compact.count(".")
    if commas and dots:
        decimal_sep = "," if compact.rfind(",") > compact.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        if compact.count(decimal_sep) > 1:
            raise _Invalid("Nieprawidłowy zapis kwoty.", "Invalid amount format.")
        whole, fraction = compact.split(decimal_sep)
    elif commas > 1 or dots > 1:
        group_sep = "," if commas else "."
        whole, fraction = compact, ""
    elif commas or dots:
        group_sep = ""
        whole, fraction = re.split(r"[.,]", compact)
    else:
        group_sep, whole, fraction = "", compact, ""
    if group_sep:
        groups = whole.split(group_sep)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            raise _Invalid("Nieprawidłowy zapis kwoty.", "Invalid amount format.")
        whole = "".join(groups)
    if not whole or (compact.count(",") + compact.count(".") and fraction == "" and not group_sep):
        raise _Invalid("Nieprawidłowy zapis kwoty.", "Invalid amount format.")
    if len(fraction) > 2:
        raise _Invalid(
            "Kwota może mieć najwyżej 2 miejsca po przecinku.", "An amount can have at most 2 decimal places."
        )
    if len(whole) > 12:
        raise _Invalid("Kwota jest zbyt duża.", "The amount is too large.")
    return Decimal(f"{whole}.{fraction or '0'}").quantize(Decimal("0.01"))


def _date(raw: str) -> dt.date:
    text = raw.strip()
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text) or None
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        raise _Invalid("Taka data nie istnieje.", "This date does not exist.") from None
    raise _Invalid("Podaj datę w formacie dd.mm.rrrr.", "Enter a date as dd.mm.yyyy.")


def _time(raw: str) -> dt.time:
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", raw.strip())
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return dt.time(int(match[1]), int(match[2]))
    raise _Invalid("Podaj godzinę w formacie gg:mm.", "Enter a time as hh:mm.")


def _datetime(raw: str) -> dt.datetime:
    parts = re.split(r"[T\s]+", raw.strip())
    if len(parts) != 2:
        raise _Invalid(
            "Podaj datę i godzinę, np. 31.03.2020 14:30.", "Enter a date and time, e.g. 31.03.2020 14:30."
        )
    day = _date(parts[0])
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?::\d{2}(?:\.\d+)?)?", parts[1])
    if not match:
        raise _Invalid("Podaj godzinę w formacie gg:mm.", "Enter a time as hh:mm.")
    clock = _time(f"{match[1]}:{match[2]}")
    return dt.datetime.combine(day, clock)


def _yesno(raw: str) -> bool:
    word = raw.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise _Invalid("Wybierz „tak” albo „nie”.", "Choose yes or no.")


def _phone(raw: str) -> str:
    if not re.fullmatch(r"[+0-9\s().\-/]{3,30}", raw.strip()):
        raise _Invalid(
            "Numer telefonu może zawierać tylko cyfry, spacje i „+”.",
            "A phone number has only digits, spaces and '+'.",
        )
    e164 = phone_e164(raw)
    if e164 is None:
        raise _Invalid("Nieprawidłowy numer telefonu.", "Invalid phone number.")
    return e164


def _pesel(raw: str) -> str:
    try:
        return str(stdnum_pesel.validate(raw.strip()))
    except InvalidChecksum:
        raise _Invalid(
            "Nieprawidłowy numer PESEL (błędna suma kontrolna).", "Invalid PESEL number (wrong checksum)."
        ) from None
    except InvalidComponent:
        raise _Invalid(
            "Nieprawidłowy numer PESEL (niemożliwa data urodzenia).",
            "Invalid PESEL number (impossible date of birth).",
        ) from None
    except ValidationError:
        raise _Invalid("Numer PESEL ma 11 cyfr.", "A PESEL number has 11 digits.") from None


def _postcode(raw: str) -> str:
    match = re.fullmatch(r"(\d{2})-?(\d{3})", raw.strip())
    if not match:
        raise _Invalid("Podaj kod pocztowy w formacie NN-NNN.", "Enter a postcode as NN-NNN.")
    return f"{match[1]}-{match[2]}"


def _digits(raw: str) -> str:
    try:
        return ascii_digits(raw)
    except FieldProblem as exc:
        raise _Invalid(exc.pl, exc.en) from None


_SCALAR_PARSERS: dict[str, Callable[[str], Any]] = {
    "text": _text,
    "longtext": _longtext,
    "integer": _integer,
    "money": _money,
    "date": _date,
    "time": _time,
    "datetime": _datetime,
    "yesno": _yesno,
    "phone": _phone,
    "pesel": _pesel,
    "postcode": _postcode,
}


def _select_one(question: Question, raw: str) -> str:
    value = raw.strip()
    if question.choice(value) is None:
        raise _Invalid("Wybierz jedną z podanych odpowiedzi.", "Choose one of the listed answers.")
    return value


def _select_multiple(question: Question, raw: str | list[str]) -> list[str] | None:
    values = raw.split() if isinstance(raw, str) else [v.strip() for v in raw]
    values = [v for v in values if v]
    unknown = [v for v in values if question.choice(v) is None]
    if unknown:
        raise _Invalid("Wybierz odpowiedzi z listy.", "Choose answers from the list.")
    # Choice order, not click order, so the same selection always stores the same way.
    ordered = [c.value for c in question.choices if c.value in values]
    return ordered or None


# --------------------------------------------------------------------------- public API


def _is_blank(raw: Raw) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    return all(not str(v).strip() for v in raw)


def validate(
    question: Question,
    raw: Raw,
    *,
    answers: Context | Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> Result:
    """Parse and check one raw answer; blank gives Result(None), requiredness is checked at completion."""
    if question.type in ("note", "repeat"):
        return Result(None)
    if _is_blank(raw):
        return Result(None)
    assert raw is not None  # noqa: S101 - blank handled above
    try:
        if question.type == "select_multiple":
            value: Any = _select_multiple(question, raw)
        else:
            if isinstance(raw, list):
                if len(raw) != 1:
                    raise _Invalid("Podaj jedną odpowiedź.", "Give a single answer.")
                raw = raw[0]
            if question.type == "select_one":
                value = _select_one(question, raw)
            else:
                value = _SCALAR_PARSERS[question.type](_digits(raw) if question.type in DIGIT_TYPES else raw)
    except _Invalid as exc:
        return Result(None, exc.text)
    context = _context(answers, today)
    error = _cross_check(question, value, context) or check_constraint(question, value, context)
    return Result(None, error) if error else Result(value)


def _context(answers: Context | Mapping[str, Any] | None, today: dt.date | None) -> Context:
    if isinstance(answers, Context):
        return answers if today is None else Context(answers.values, answers.groups, answers.current, today)
    return Context(values=answers or {}, today=today or local_today())


def _cross_check(question: Question, value: Any, context: Context) -> LocalText | None:
    if question.type == "pesel" and question.consistent_with_birth_date:
        born = context.values.get(question.consistent_with_birth_date)
        if isinstance(born, dt.date) and stdnum_pesel.get_birth_date(value) != born:
            shown = day_text(born)
            return LocalText(
                f"Numer PESEL nie zgadza się z datą urodzenia ({shown}).",
                f"The PESEL number does not match the date of birth ({shown}).",
            )
    return None


def check_constraint(question: Question, value: Any, context: Context | None = None) -> LocalText | None:
    """The question's constraint message if `value` breaks its constraint, else None."""
    if question.constraint is None or value is None:
        return None
    base = context or Context()
    scoped = Context(base.values, base.groups, value, base.today)
    if question.constraint.holds(scoped):
        return None
    return question.constraint_message or LocalText(
        "Ta odpowiedź nie spełnia warunku pytania.", "This answer does not meet the question's condition."
    )


def to_storage(question: Question, value: Any) -> Any:
    """JSON-serialisable form of a typed value (text for money and dates, so reloading is exact)."""
    if value is None:
        return None
    if question.type == "money":
        return f"{Decimal(value):.2f}"
    if question.type in ("date",):
        return value.isoformat()
    if question.type == "time":
        return value.strftime("%H:%M")
    if question.type == "datetime":
        return value.strftime("%Y-%m-%dT%H:%M")
    if question.type == "select_multiple":
        return list(value)
    if question.type in ("yesno", "integer", "repeat"):
        return value
    return str(value)


def stored_to_raw(stored: Any) -> Raw:
    """Turn a stored value back into raw input, so stored answers go through the same validate()."""
    if stored is None:
        return None
    if isinstance(stored, bool):
        return "yes" if stored else "no"
    if isinstance(stored, list):
        return [str(v) for v in stored]
    return str(stored)


class StorageError(ValueError):
    """A stored value no longer passes validation (e.g. hand-edited, or written by a buggy client)."""


def from_storage(question: Question, stored: Any) -> Any:
    """Typed value from its stored form; raises StorageError if it is not a valid answer."""
    if question.type == "repeat":
        if stored is None:
            return None
        if isinstance(stored, bool) or not isinstance(stored, int) or stored < 0:
            raise StorageError(f"{question.id}: member count must be a non-negative integer")
        return stored
    result = validate(question, stored_to_raw(stored))
    if not result.ok:
        assert result.error is not None  # noqa: S101
        raise StorageError(f"{question.id}: {result.error.en}")
    return result.value


def display(question: Question, value: Any, lang: str = "pl") -> str:
    """Human-readable text of a typed value (choice labels, Polish number and date formats)."""
    if value is None:
        return ""
    if question.type == "yesno":
        return ("tak" if value else "nie") if lang == "pl" else ("yes" if value else "no")
    if question.type == "select_one":
        choice = question.choice(value)
        return choice.label.get(lang) if choice else str(value)
    if question.type == "select_multiple":
        return ", ".join(c.label.get(lang) for c in question.choices if c.value in value)
    if question.type == "money":
        whole, _, fraction = f"{Decimal(value):,.2f}".partition(".")
        return f"{whole.replace(',', ' ')},{fraction} zł" if lang == "pl" else f"PLN {whole}.{fraction}"
    if question.type == "date":
        return day_text(value, lang)
    if question.type == "datetime":
        return f"{day_text(value, lang)} {value.strftime('%H:%M')}"
    if question.type == "phone":
        return display_phone(str(value))
    if question.type == "time":
        return str(value.strftime("%H:%M"))
    return str(value)


__all__ = [
    "DIGIT_TYPES",
    "TEXT_MAX",
    "Result",
    "StorageError",
    "check_constraint",
    "display",
    "from_storage",
    "stored_to_raw",
    "to_storage",
    "validate",
]
