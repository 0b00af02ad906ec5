"""Locate the DejaVu fonts used in reports and prepare the signature-stamp font."""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import has_app_context
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem

from app.config import get_settings

# The repository root: app/pdf/fonts.py -> parents[2].
_PROJECT_ROOT = Path(__file__).resolve().parents[2]
VENDOR_FONT_DIR = _PROJECT_ROOT / "static" / "vendor" / "fonts"
SYSTEM_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

FONT_FILES = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "oblique": "DejaVuSans-Oblique.ttf",
}

# pyHanko's stamp layout assumes 1000 units per em; DejaVu ships with 2048.
STAMP_UNITS_PER_EM = 1000

# Latin-1, Latin Extended-A (all Polish letters) and general punctuation (dashes, quotes, ellipsis).
# Subsetting the stamp font to this once keeps every signature small and fast to embed.
_STAMP_UNICODES = [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2010, 0x2027), 0x20AC, 0x2116]

_stamp_lock = threading.Lock()


class FontsMissingError(RuntimeError):
    """Raised when the DejaVu font files cannot be found."""


@dataclass(frozen=True)
class FontSet:
    """Paths of the regular, bold and oblique DejaVu Sans files."""

    regular: Path
    bold: Path
    oblique: Path


def _candidate_dirs(font_dir: Path | None) -> list[Path]:
    dirs = [font_dir] if font_dir is not None else []
    configured = get_settings().font_dir if has_app_context() else None  # TELEWYWIAD_FONT_DIR
    if configured is not None:
        dirs.append(configured)
    return [*dirs, VENDOR_FONT_DIR, SYSTEM_FONT_DIR]


def find_fonts(font_dir: Path | None = None) -> FontSet:
    """Return the first directory holding all three DejaVu Sans files, or raise FontsMissingError."""
    searched = _candidate_dirs(font_dir)
    for directory in searched:
        paths = {style: directory / name for style, name in FONT_FILES.items()}
        if all(p.is_file() for p in paths.values()):
            return FontSet(**paths)
    raise FontsMissingError(
        "DejaVu Sans fonts not found (need "
        + ", ".join(FONT_FILES.values())
        + ") in: "
        + ", ".join(str(d) for d in searched)
        + ". Run `npm ci && node scripts/vendor.js` (or `make install`), "
        "or install Debian's fonts-dejavu-core."
    )


def _default_cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / "telewywiad-fonts"


@functools.cache
def _file_digest(path: Path) -> str:
    # Names the cached copy after the source's content, so a font upgrade never reuses a stale copy;
    # cached per process because every signature asks for the path.
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def stamp_font_path(cache_dir: Path | None = None, font_dir: Path | None = None) -> Path:
    """Return a cached DejaVu Sans copy rescaled to 1000 units/em and subset for stamps, building it once."""
    source = find_fonts(font_dir).regular
    digest = _file_digest(source)
    target_dir = cache_dir or _default_cache_dir()
    target = target_dir / f"DejaVuSans-stamp-{STAMP_UNITS_PER_EM}-{digest}.ttf"
    if target.is_file():
        return target
    with _stamp_lock:
        if target.is_file():
            return target
        target_dir.mkdir(parents=True, exist_ok=True)
        font = TTFont(source)
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        # FontForge's timestamp table; fontTools cannot subset it and warns on every signature otherwise.
        options.drop_tables += ["FFTM"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=_STAMP_UNICODES)
        subsetter.subset(font)
        # Scaling after subsetting touches ~400 glyphs instead of ~6000: about ten times faster.
        scale_upem(font, STAMP_UNITS_PER_EM)
        # Write to a private temporary name first so a concurrent reader never sees a half-written file.
        fd, tmp_name = tempfile.mkstemp(dir=target_dir, suffix=".ttf.part")
        with os.fdopen(fd, "wb") as handle:
            font.save(handle)
        os.replace(tmp_name, target)
    return target
