"""Imports every table model so SQLModel.metadata (and Alembic autogenerate) sees the whole schema."""

from app.appointments.models import (
    Appointment,
    AppointmentEvent,
    DeskOccupancy,
    HoursException,
    OpeningHours,
    VisitDesk,
    VisitPlace,
    VisitReason,
    VisitRules,
)
from app.audit.erasure import Erasure
from app.audit.models import AuditEvent, AuditHead
from app.auth.models import LoginAttempt, Office, ResumeDraft, User, UserRole, WebSession
from app.cases.models import CallAttempt, Callback, Case, CaseCounter, CasePhone, OtherContact
from app.cases.record_models import CaseChange, CaseClosing
from app.directory.models import ApplicationTemplate, DirectoryNumber, OfficeContact, StaffContact
from app.documents.models import CaseDocument
from app.formstore.models import FormPublication, FormVersion
from app.guides.models import GuideProgress
from app.interviews.models import Answer, AnswerChange, Interview
from app.officeconfig.models import OfficeSetting
from app.offices.models import InstallationAdmin
from app.referrals.models import (
    FlagDecision,
    OutboxAttachment,
    OutboxMessage,
    Referral,
    ReferralContact,
    ReferralTransition,
)
from app.reports.models import OfficeCA, Report, ReportFile, ReviewComment, SigningCertificate
from app.staffing.models import (
    DutyCall,
    DutySettings,
    DutySlot,
    RotaException,
    RotaPattern,
    Section,
    StaffGroup,
    StaffPlacement,
)
from app.web.ratelimit import RateEvent

__all__ = [
    "CaseChange",
    "CaseClosing",
    "CaseDocument",
    "ApplicationTemplate",
    "DirectoryNumber",
    "DutyCall",
    "DutySettings",
    "DutySlot",
    "GuideProgress",
    "OfficeContact",
    "RotaException",
    "RotaPattern",
    "Section",
    "StaffContact",
    "StaffGroup",
    "StaffPlacement",
    "Appointment",
    "AppointmentEvent",
    "DeskOccupancy",
    "HoursException",
    "OpeningHours",
    "OutboxAttachment",
    "VisitDesk",
    "VisitPlace",
    "VisitReason",
    "VisitRules",
    "Answer",
    "AnswerChange",
    "AuditEvent",
    "CallAttempt",
    "Erasure",
    "Callback",
    "Case",
    "CaseCounter",
    "FormPublication",
    "FormVersion",
    "InstallationAdmin",
    "OfficeSetting",
    "FlagDecision",
    "OutboxMessage",
    "Referral",
    "ReferralContact",
    "ReferralTransition",
    "CasePhone",
    "OtherContact",
    "Interview",
    "AuditHead",
    "LoginAttempt",
    "Office",
    "OfficeCA",
    "RateEvent",
    "Report",
    "ReportFile",
    "ReviewComment",
    "SigningCertificate",
    "ResumeDraft",
    "User",
    "UserRole",
    "WebSession",
]
