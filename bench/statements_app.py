"""The autosave's own reads and writes in a bare Flask route: what one save's SQL costs with nothing else around it.

Between the durable-write floor (bench/floor_app.py: one INSERT) and autosave, under the same gunicorn settings and
on the app's own database: per POST the statements one autosave sends, in its transactions, through the app's own
functions and prepared statements:

- a reader's connection: the web session row of the cookie (`app.auth.sessions`);
- a reader's transaction: the interview row and its answers (`stored_answers`);
- under the writer turn (BEGIN IMMEDIATE on SQLite): the claim on the interview (the prepared UPDATE of
  `answer_store.claim`), the answer and its history row (`write_claimed`), the audit event on the office's chain
  (`audit.record`), and for the address the correction back to the case (`carry.write_flow_back`, planned as a
  reader like autosave's), COMMIT.

No login, CSRF check, access rule, validation, form evaluation or template: the value is stored as typed and the
reply is a few bytes. Autosave ÷ this is what the app's Python around the statements leaves of their rate; this ÷
the floor is what the statements leave of the stack's. The events it appends are real links of the office's chain
(`telewywiad audit verify` still passes after a run). tests/integration/interviews/test_bench_statements.py
fails when autosave comes to send a statement this route does not, or the other way round.

Run by bench/load_bench.py: `gunicorn ... bench.statements_app:app` with STATEMENTS_DATABASE_URL set.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from flask import Flask, abort, request
from sqlalchemy import Engine, bindparam, select
from sqlmodel import Session

from app.audit.services import record
from app.auth.sessions import _SESSION_ROW, COOKIE_NAME, _hash
from app.clock import utcnow
from app.db import ENGINE_KEY, READ_OPTION, make_engine
from app.interviews.answer_store import _CLAIM_ALONE, Typed, write_claimed
from app.interviews.answers import stored_answers
from app.interviews.carry import plan_flow_back, write_flow_back
from app.interviews.models import Interview

_INTERVIEWS = Interview.__table__  # type: ignore[attr-defined]
_COLUMNS = ("id", "case_id", "office_id", "worker_id", "state", "answers_version")
_INTERVIEW = select(*(_INTERVIEWS.c[name] for name in _COLUMNS)).where(_INTERVIEWS.c.id == bindparam("b_id"))


@dataclass(frozen=True)
class _Actor:
    """The interview's worker, who types (write_claimed reads only the id)."""

    id: int


def create_app(url: str) -> Flask:
    """The statements app on the app's database (upgraded and seeded before gunicorn starts)."""
    engine: Engine = make_engine(url)
    reader = engine.execution_options(**{READ_OPTION: True})
    flask_app = Flask(__name__)
    flask_app.extensions[ENGINE_KEY] = engine  # where the app keeps its engine (tests count its statements there)

    @flask_app.post("/interviews/<int:interview_id>/answers")
    def save(interview_id: int) -> str:
        with reader.connect() as connection:
            connection.execute(_SESSION_ROW, {"id_hash": _hash(request.cookies.get(COOKIE_NAME, ""))}).all()
        key = request.form["key"]
        raw = request.form.get(key, "")
        with Session(reader) as session:
            interview = session.connection().execute(_INTERVIEW, {"b_id": interview_id}).first()
            if interview is None:
                abort(404)
            row = stored_answers(session, interview_id).get(key)
            back = plan_flow_back(session, interview=interview, key=key, value=raw)  # type: ignore[arg-type]
        now = utcnow()
        with Session(engine) as session, session.begin():
            # The bench's answers stand alone (nothing else reads them): the claim checks the interview's state,
            # the answer's own revision is checked when it is written (interview_state.stands_alone).
            session.connection().execute(_CLAIM_ALONE, {"b_id": interview_id, "b_state": interview.state,
                                                        "b_now": now, "b_section": "a"}).first()
            actor = _Actor(interview.worker_id)
            typed = Typed(raw, json.dumps(raw, ensure_ascii=False), None)
            client_id = request.form.get("client_id", "")
            for again in (False, True):
                if again:  # another save of this answer came in between: read it again (the claim holds the row)
                    row = stored_answers(session, interview_id).get(key)
                written = write_claimed(session, actor, interview_id, key, typed, row, now,  # type: ignore[arg-type]
                                        client_id)
                if written is not None:
                    break
            else:
                abort(409)
            if back is not None:
                write_flow_back(session, actor=actor, interview=interview, back=back)  # type: ignore[arg-type]
            record(session, "answer.change", actor_id=interview.worker_id, office_id=interview.office_id,
                   object_type="interview", object_id=interview_id, key=key, revision=written[0].revision)
        return f"<span>{written[0].revision}</span>"

    @flask_app.get("/healthz")
    def healthz() -> str:
        return "ok"

    return flask_app


app = create_app(os.environ["STATEMENTS_DATABASE_URL"]) if "STATEMENTS_DATABASE_URL" in os.environ else None
