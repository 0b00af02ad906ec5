"""Every Polish UI string has an English translation (English is a per-user choice)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_english_catalog_is_complete() -> None:
    """`python scripts/i18n.py update` then translate what it lists; this test names what is missing."""
    spec = importlib.util.spec_from_file_location("i18n", ROOT / "scripts" / "i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.missing() == []
