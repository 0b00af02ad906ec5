"""Exports as services: build, audit, name the file (routes and the CLI only deliver the bytes)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlmodel import Session

from app import audit
from app.handoff import cases_csv
from app.handoff.interview import FORMAT_VERSION, NotFinished, build
from app.interviews.models import Interview
from app.statistics.period import Period

__all__ = ["Export", "NotFinished", "export_cases", "export_interview"]


@dataclass(frozen=True)
class Export:
    """A finished export: its bytes, media type and the file name to offer."""

    body: bytes
    media_type: str
    filename: str


def export_interview(session: Session, *, actor_id: int | None, interview: Interview, channel: str,
                     now: dt.datetime | None = None) -> Export:
    """The interview as JSON (NotFinished when it is not finished), the export written to the audit log."""
    data = build(session, interview, now=now)
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    audit.log(session, "interview.export", actor=actor_id, obj=interview, case_id=interview.case_id, format="json",
              format_version=FORMAT_VERSION, channel=channel)
    return Export(body, "application/json; charset=utf-8", f"wywiad-{interview.id}.json")


def export_cases(session: Session, *, actor_id: int | None, office_id: int, period: Period, channel: str) -> Export:
    """The office's cases of the period as CSV, the export written to the audit log (period and count only)."""
    data = cases_csv.rows(session, office_id=office_id, period=period)
    audit.log(session, "cases.export", actor=actor_id, object_type="office", object_id=office_id, office_id=office_id,
              start=period.start.isoformat(), end=period.end.isoformat(), count=len(data), format="csv",
              channel=channel)
    return Export(cases_csv.to_csv(data), "text/csv; charset=utf-8",
                  f"sprawy-{period.start.isoformat()}-{period.end.isoformat()}.csv")
