"""Keep the English catalog in step with the Polish source strings.

  python scripts/i18n.py update   # extract messages and merge them into app/translations/en
  python scripts/i18n.py missing  # list source strings without an English translation (exit 1 if any)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
IGNORE = ".venv node_modules .git static tests bench instance test-artifacts"


def extract() -> Path:
    """Run pybabel extract over app/ and templates/ into a temporary template."""
    pot = Path(tempfile.mkdtemp()) / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [str(pybabel), "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", f"--ignore-dirs={IGNORE}",
         "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    return pot


def missing() -> list[str]:
    """Source strings that have no English translation yet."""
    with extract().open("rb") as handle:
        template = read_po(handle)
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    result = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        # A plural entry's string is a tuple: every form must be filled ("" in one form shows the Polish text).
        strings = found.string if found is not None and isinstance(found.string, tuple) else (found and found.string,)
        if found is None or not all(strings) or found.fuzzy:
            result.append(str(message.id))
    return result


def update() -> None:
    """Merge newly extracted strings into the catalog, keeping existing translations."""
    with extract().open("rb") as handle:
        template = read_po(handle)
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    catalog.update(template, no_fuzzy_matching=True)
    with CATALOG.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, ignore_obsolete=True)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "missing"
    if command == "update":
        update()
    todo = missing()
    for item in todo:
        print(item)
    sys.exit(1 if todo and command == "missing" else 0)
