"""Fixtures for publishing form versions: the built-in RWS text and a v2 made from it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
RWS_V1 = (ROOT / "forms" / "rws" / "v1.yaml").read_text(encoding="utf-8")


def rws_v2(title: str = "Rodzinny wywiad środowiskowy – część I (wersja ośrodka)", version: int = 2) -> str:
    """The built-in RWS with a new version number and title, as an office would prepare it."""
    text = RWS_V1.replace("\nversion: 1\n", f"\nversion: {version}\n", 1)
    return text.replace('title: {pl: "Rodzinny wywiad środowiskowy – część I"', f'title: {{pl: "{title}"', 1)
