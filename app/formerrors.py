"""One shape for "the typed form cannot be stored": each field's problem, in Polish, to show at the field."""

from __future__ import annotations


class FieldErrors(ValueError):
    """Typed input that cannot be stored; `errors` maps each form field to its problem (the typed values stay)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
