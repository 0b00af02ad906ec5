"""Building blocks for fuzzing form posts: hostile values, hand-made request bodies, database snapshots."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote_from_bytes

from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlmodel import SQLModel

from app.auth.models import Role
from app.cases.models import CallOutcome, Channel, RequestedHelp
from app.referrals.models import Priority, ReasonCategory
from tests.factories import PASSWORD

# Bookkeeping that a refused request writes on purpose: the audit trail of refusals, login throttling, the web
# session's last-seen time, request rate counters. Everything else must be untouched by a refused request.
BOOKKEEPING = frozenset({"audit_event", "audit_head", "login_attempt", "web_session", "rate_event"})

ODD_PIECES = (
    "\x00",  # NUL
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u200b",  # zero-width space
    "\ufeff",  # byte order mark
    "e\u0301\u0308\u0301\u0308",  # stacked combining marks
    "\U0001f642",  # emoji
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",  # ZWJ family
    "\U0001d54f",  # astral-plane letter
    "\ud800",  # a lone surrogate: invalid UTF-8 on the wire
    "\udfff",
    "\uffff",
    "\r\n",
    "\t",
    "\x1b[31m",
    "'\"<>&",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "Zażółć gęślą jaźń",
    "-1",
    "0",
    "9" * 30,
    "1e309",
    "NaN",
    "[]",
    "{}",
    "null",
    "true",
)

# Values that get past the first checks of many fields, so the deeper code runs too.
PLAUSIBLE = (
    "",
    " ",
    "1",
    "2",
    "on",
    "yes",
    "no",
    "me",
    "next",
    "prev",
    "stay",
    "44051401359",
    "+48 600 100 200",
    "600100200",
    "2026-03-02",
    "2026-03-02T10:15",
    "10:15",
    "12.03.1984",
    "84-100",
    "Zażółć Gęślą-Jaźń",
    "jan@example.org",
    "/today",
    "https://evil.example/",
    "//evil.example",
    PASSWORD,
    *(c.value for c in Channel),
    *(c.value for c in CallOutcome),
    *(c.value for c in RequestedHelp),
    *(c.value for c in Role),
    *(c.value for c in Priority),
    *(c.value for c in ReasonCategory),
)


def text_values(hints: Sequence[str] = ()) -> st.SearchStrategy[str]:
    """Anything a hostile or clumsy client could type into one field."""
    return st.one_of(
        st.sampled_from(tuple(hints) or PLAUSIBLE),
        st.sampled_from(PLAUSIBLE),
        st.text(max_size=40),
        st.lists(st.sampled_from(ODD_PIECES), min_size=1, max_size=6).map("".join),
        st.integers().map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        # Huge but under the request limit (the 413 path is tested on its own).
        st.tuples(st.sampled_from("Aż9\u202e"), st.integers(2_000, 300_000)).map(lambda t: t[0] * t[1]),
    )


def enum_values(*enums: type[StrEnum]) -> tuple[str, ...]:
    """The values of some enums, as hints for a field."""
    return tuple(member.value for enum in enums for member in enum)


@dataclass(frozen=True)
class Part:
    """One field of a posted form; `as_file` sends it as a file part (the wrong type for a text field)."""

    name: str
    value: str | bytes
    as_file: bool = False

    def data(self) -> bytes:
        """The value's bytes (lone surrogates become invalid UTF-8, as a broken client would send)."""
        if isinstance(self.value, bytes):
            return self.value
        return self.value.encode("utf-8", "surrogatepass")


@st.composite
def form_parts(
    draw: st.DrawFn, fields: Sequence[str], hints: dict[str, Sequence[str]], files: Sequence[str] = ()
) -> list[Part]:
    """Known fields missing, once or repeated, with odd values; some unknown fields; files as text or bytes."""
    parts: list[Part] = []
    for name in fields:
        for _ in range(draw(st.sampled_from((1, 1, 1, 1, 0, 2, 3)))):
            parts.append(Part(name, draw(text_values(hints.get(name, ()))), as_file=draw(st.integers(0, 19)) == 0))
    for name in files:
        for _ in range(draw(st.sampled_from((1, 1, 0, 2)))):
            content = draw(
                st.one_of(
                    st.binary(max_size=200),
                    st.sampled_from((b"", b"%PDF-1.7\n%%EOF\n", b"%PDF-" + b"\x00" * 500, b"0\x82\x01\x00")),
                    st.text(max_size=30),
                )
            )
            parts.append(Part(name, content, as_file=isinstance(content, bytes)))
    for _ in range(draw(st.integers(0, 2))):
        parts.append(Part(draw(st.text(min_size=1, max_size=12)), draw(text_values())))
    return draw(st.permutations(parts))


def urlencoded(parts: Iterable[Part]) -> bytes:
    """An application/x-www-form-urlencoded body, byte for byte."""
    return "&".join(
        f"{quote_from_bytes(p.name.encode('utf-8', 'surrogatepass'), safe='')}={quote_from_bytes(p.data(), safe='')}"
        for p in parts
    ).encode("ascii")


BOUNDARY = "----telewywiadfuzz7d1c"


def multipart(parts: Iterable[Part]) -> bytes:
    """A multipart/form-data body; names are cleaned of quotes and line breaks so the framing holds."""
    chunks: list[bytes] = []
    for part in parts:
        name = part.name.translate({ord('"'): "_", ord("\r"): "_", ord("\n"): "_"}).encode("utf-8", "surrogatepass")
        head = b'Content-Disposition: form-data; name="' + name + b'"'
        if part.as_file:
            head += b'; filename="plik.bin"\r\nContent-Type: application/octet-stream'
        chunks.append(b"--" + BOUNDARY.encode() + b"\r\n" + head + b"\r\n\r\n" + part.data() + b"\r\n")
    chunks.append(b"--" + BOUNDARY.encode() + b"--\r\n")
    return b"".join(chunks)


def as_json(parts: Iterable[Part]) -> bytes:
    """A JSON body where a form was expected."""
    body: dict[str, list[str]] = {}
    for part in parts:
        body.setdefault(part.name.encode("utf-8", "replace").decode(), []).append(
            part.data().decode("utf-8", "replace")
        )
    return json.dumps(body).encode()


def encode(parts: list[Part], how: str) -> tuple[bytes, str]:
    """The body and its content type for one way of sending the fields."""
    if how == "multipart" or (how == "urlencoded" and any(p.as_file for p in parts)):
        return multipart(parts), f"multipart/form-data; boundary={BOUNDARY}"
    if how == "json":
        return as_json(parts), "application/json"
    if how == "text":
        return urlencoded(parts), "text/plain"
    return urlencoded(parts), "application/x-www-form-urlencoded"


def snapshot(engine: Engine) -> dict[str, str]:
    """A digest of every row of every table except bookkeeping (to prove a refused request changed nothing)."""
    digests: dict[str, str] = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in BOOKKEEPING:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            digest = hashlib.sha256()
            for row in conn.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode("utf-8", "surrogatepass"))
            digests[table.name] = digest.hexdigest()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Names of the tables whose rows differ between two snapshots."""
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
