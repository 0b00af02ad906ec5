"""Imports every table model so SQLModel.metadata (and Alembic autogenerate) sees the whole schema."""

from app.audit.models import AuditEvent, AuditHead
from app.auth.models import LoginAttempt, Office, ResumeDraft, User, UserRole, WebSession

__all__ = [
    "AuditEvent",
    "AuditHead",
    "LoginAttempt",
    "Office",
    "ResumeDraft",
    "User",
    "UserRole",
    "WebSession",
]
