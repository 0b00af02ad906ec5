"""CSV as Polish spreadsheet programs open it: UTF-8 with a BOM, semicolons, formulas defused."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

_FORMULA_START = "=+-@\t\r"


def safe_cell(value: object) -> str:
    """The value as text; one starting like a formula (= + - @) is read as text (a leading apostrophe)."""
    text = "" if value is None else str(value)
    return "'" + text if text and text[0] in _FORMULA_START else text


def spreadsheet_csv(rows: Iterable[Sequence[object]]) -> bytes:
    """The rows as CSV bytes (every cell through safe_cell)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")
