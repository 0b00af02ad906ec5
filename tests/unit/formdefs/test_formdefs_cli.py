"""The `forms check` command: OK lines on the shipped forms, precise problem lines and exit 1 on a broken one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from app.formdefs.cli import forms_cli


def test_check_without_paths_passes_on_shipped_forms() -> None:
    """All of forms/ is checked; one OK line per file; exit code 0 (no Flask app needed)."""
    result = CliRunner().invoke(forms_cli, ["check"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("forms/rws/v1.yaml: OK (rws v1:" in line for line in lines)
    assert any("forms/rws-update/v1.yaml: OK (rws-update v1:" in line for line in lines)


def test_check_reports_each_problem_on_its_own_line_and_fails(questions_form: Callable[..., Path]) -> None:
    """Each problem is printed as 'file: item: problem' and the exit code is non-zero."""
    path = questions_form(
        """
        - {id: total, type: money, label: {pl: a, en: a}, relevant: "incme > 0"}
        - {id: kind, type: select_one, label: {pl: a, en: a}}
        """
    )
    result = CliRunner().invoke(forms_cli, ["check", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}: sections[0].questions[0] (id=total): relevant: refers to unknown question 'incme'",
        f"{path}: sections[0].questions[1] (id=kind): a select_one question needs choices (a list, or the name of a choice list)",
    ]


def test_check_reports_a_missing_file(tmp_path: Path) -> None:
    """A path that does not exist is a problem, not a traceback."""
    missing = tmp_path / "nope.yaml"
    result = CliRunner().invoke(forms_cli, ["check", str(missing)])
    assert result.exit_code == 1
    assert result.output == f"{missing}: file: does not exist\n"
