"""What an uploaded file really is, judged from its bytes (never its name), and whether its name is acceptable.

Images and PDFs are recognised by `filetype` (magic numbers). A saved e-mail (.eml, RFC 5322) has no magic number:
it is recognised by its header block — header lines up to the first empty line, a From header and at least one
other header every mail client writes — so an HTML page or a text file renamed to .eml is not taken for one.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

import filetype

# Detected extension → media type stored and sent back on download.
ACCEPTED: dict[str, str] = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "heic": "image/heic",
    "webp": "image/webp",
    "tif": "image/tiff",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "pdf": "application/pdf",
    "eml": "message/rfc822",
}
# What may be appended to the signed report: ReportLab/Pillow draw these images; PDFs are merged page by page.
ANNEXABLE = frozenset({"jpg", "png", "webp", "tif", "gif", "bmp", "pdf"})
# Shown in the browser (an image or a PDF viewer); everything else is only ever downloaded.
INLINE = frozenset({"jpg", "png", "webp", "gif", "bmp", "pdf"})
# Programs and packages that are never a document, however they are named.
PROGRAMS = frozenset({"exe", "elf", "wasm", "crx", "deb", "rpm", "cab", "swf", "class"})

NAME_MAX = 200
# Folders, Windows-reserved characters and control characters: a name carrying these is refused, not repaired,
# so what the worker sees in the list is exactly the name of the file they chose.
_PATH_CHARACTERS = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]')
_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]{1,76}:")
_MAIL_HEADERS = frozenset({b"date", b"subject", b"to", b"message-id", b"received", b"mime-version", b"return-path"})
_HEADER_SCAN = 64 * 1024


@dataclass(frozen=True)
class Detected:
    """The file's real type: its extension and media type."""

    extension: str
    media_type: str

    @property
    def annexable(self) -> bool:
        """Whether it can be appended to the report PDF."""
        return self.extension in ANNEXABLE

    @property
    def inline(self) -> bool:
        """Whether a browser may show it in place (images and PDFs)."""
        return self.extension in INLINE


class NotAccepted(ValueError):
    """The bytes are not a document telewywiad accepts; `program` when they are an executable."""

    def __init__(self, program: str | None = None) -> None:
        super().__init__(program or "unknown")
        self.program = program


def looks_like_email(data: bytes) -> bool:
    """True when the bytes start with an RFC 5322 header block that names a sender."""
    head = data[:_HEADER_SCAN]
    for separator in (b"\r\n\r\n", b"\n\n"):
        end = head.find(separator)
        if end > 0:
            break
    else:
        return False
    lines = head[:end].replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[0].startswith(b"From "):  # an mbox "From " line some clients keep
        lines = lines[1:]
    names: set[bytes] = set()
    for line in lines:
        if line[:1] in (b" ", b"\t") and names:
            continue  # a folded continuation of the previous header
        if not _HEADER_LINE.match(line):
            return False
        names.add(line.split(b":", 1)[0].strip().lower())
    try:
        head[:end].decode("utf-8")  # RFC 6532 allows UTF-8 headers; binary junk is not a mail
    except UnicodeDecodeError:
        return False
    return b"from" in names and bool(names & _MAIL_HEADERS)


def detect(data: bytes) -> Detected:
    """The accepted type of the bytes; NotAccepted (naming a program type when it is one) otherwise."""
    kind = filetype.guess(data)
    if kind is not None:
        extension = str(kind.extension)
        if extension in PROGRAMS:
            raise NotAccepted(extension)
        if extension in ACCEPTED:
            return Detected(extension, ACCEPTED[extension])
        raise NotAccepted()
    if looks_like_email(data):
        return Detected("eml", ACCEPTED["eml"])
    raise NotAccepted()


class BadName(ValueError):
    """The file name carries folders or characters no file name should (`reason`: "path" or "long")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def checked_name(raw: str, detected: Detected) -> str:
    """The chosen file's name, refused when it carries a path or odd characters, ending in the real extension."""
    name = unicodedata.normalize("NFC", raw).strip()
    if not name or _PATH_CHARACTERS.search(name) or name.startswith(".") or ".." in name:
        raise BadName("path")
    if len(name) > NAME_MAX:
        raise BadName("long")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.rstrip(" .") or "dokument"
    # The stored name ends in what the bytes are: a JPEG sent as "skan.pdf" is listed and downloaded as skan.jpg.
    return f"{stem[: NAME_MAX - 5]}.{detected.extension}"


def annex_pages(detected: Detected, data: bytes) -> int | None:
    """How many report pages the file would add as an annex; None when it cannot be read (or is encrypted)."""
    if detected.extension == "pdf":
        from pyhanko.pdf_utils.reader import PdfFileReader

        try:
            reader = PdfFileReader(io.BytesIO(data), strict=False)
            if reader.encrypted:
                return None
            count = int(reader.root["/Pages"]["/Count"])
        except Exception:  # noqa: BLE001 - a hostile file may break the parser anywhere; any failure means "unreadable"
            return None
        return count if count > 0 else None
    if detected.extension in ANNEXABLE:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            return None
        return 1
    return None
