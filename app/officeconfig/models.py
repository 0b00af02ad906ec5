"""One stored value per office and setting key; a key without a row uses the installation default."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String, Text
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class OfficeSetting(SQLModel, table=True):
    """An office's own value of a registered setting (JSON), with who changed it last."""

    __tablename__ = "office_setting"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    key: str = Field(sa_column=Column(String(80), primary_key=True))
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
