"""What the referral form can be refused with."""

from __future__ import annotations


class ReferralFormError(ValueError):
    """Problems with the referral form, per field (Polish messages); nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors
