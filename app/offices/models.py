"""Who administers the whole installation (every office), beside the per-office administrator role."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.clock import utcnow


class InstallationAdmin(SQLModel, table=True):
    """A user who may create offices and manage every office's details, settings and forms.

    Kept apart from the per-office roles on purpose: an office administrator cannot grant it in the browser
    (only `telewywiad setup` and `telewywiad offices grant-manager` do), and it opens no office's case records.
    """

    __tablename__ = "installation_admin"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    granted_at: datetime = Field(default_factory=utcnow)
    granted_by_id: int | None = Field(default=None, foreign_key="user_account.id")
