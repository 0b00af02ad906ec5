"""Input a case form cannot accept."""

from __future__ import annotations

from collections.abc import Mapping


class InputError(ValueError):
    """User input that cannot be accepted; `errors` maps form field names to Polish messages."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)
