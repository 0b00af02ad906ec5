"""The supervisor sets up groups and the rotation, enters absences; everyone sees who is in the office when;
sections left with nobody (or everybody) inside are flagged, also on the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import time_machine
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Office, Role, User
from app.staffing.models import RotaException, RotaPattern, StaffGroup, StaffPlacement
from tests.conftest import login, token
from tests.office_fixtures import make_rota, make_section


def _setup_data(client: FlaskClient, groups: dict[str, str], members: dict[int, tuple[str, str]], **extra: str) -> dict[str, str]:
    data = {"csrf_token": token(client, "/rota"), "kind": "alternate_weeks", "anchor": "2026-03-02", **extra}
    data.update({f"group-{key}": name for key, name in groups.items()})
    for user_id, (section, group) in members.items():
        data[f"section-{user_id}"] = section
        data[f"member-{user_id}"] = group
    return data


def test_supervisor_sets_up_two_groups_and_sees_the_week(
    monday: time_machine.Coordinates, client: FlaskClient, db: Session, office: Office, user_factory: Callable[..., User]
) -> None:
    """Two new groups, people placed by section and group: saved as a whole, audited, shown on the week page."""
    boss = user_factory(Role.SUPERVISOR, full_name="Zbigniew Żółkiewski")
    zak = user_factory(Role.WORKER, full_name="Krystyna Żak")
    luczak = user_factory(Role.WORKER, full_name="Paweł Łuczak")
    section = make_section(db, office, "Świadczenia rodzinne")
    assert login(client, boss.username).status_code == 302
    data = _setup_data(client, {"n1": "Grupa A", "n2": "Grupa B"},
                       {zak.id or 0: (str(section.id), "n1"), luczak.id or 0: (str(section.id), "n2")})
    response = client.post("/rota/setup", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert [g.name for g in db.exec(select(StaffGroup).order_by(StaffGroup.position)).all()] == ["Grupa A", "Grupa B"]
    assert db.get(RotaPattern, office.id).anchor_monday == date(2026, 3, 2)  # type: ignore[union-attr]
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "rota.setup")).one().actor_id == boss.id
    page = client.get("/rota").get_data(as_text=True)
    assert "Świadczenia rodzinne" in page and "Krystyna Żak" in page and "Paweł Łuczak" in page
    assert "Nikogo z sekcji w ośrodku" not in page


def test_a_group_with_nobody_in_it_is_refused_and_nothing_is_stored(
    monday: time_machine.Coordinates, client: FlaskClient, db: Session, user_factory: Callable[..., User]
) -> None:
    """Everyone in group A, nobody in B: the message stands at group B, no group, placement or pattern is saved."""
    boss = user_factory(Role.SUPERVISOR)
    worker = user_factory(Role.WORKER)
    assert login(client, boss.username).status_code == 302
    data = _setup_data(client, {"n1": "Grupa A", "n2": "Grupa B"}, {worker.id or 0: ("", "n1"), boss.id or 0: ("", "n1")})
    response = client.post("/rota/setup", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "W grupie „Grupa B” nie ma nikogo." in body and 'id="e-group-n2"' in body
    assert 'value="Grupa B"' in body  # what was typed stays on screen
    assert db.exec(select(StaffGroup)).all() == [] and db.exec(select(StaffPlacement)).all() == []
    assert db.exec(select(RotaPattern)).all() == []


def test_rota_field_errors_are_each_named(
    monday: time_machine.Coordinates, client: FlaskClient, user_factory: Callable[..., User]
) -> None:
    """Two groups of the same name, an unreadable week, an unknown section: three messages at once."""
    boss = user_factory(Role.SUPERVISOR)
    worker = user_factory(Role.WORKER)
    assert login(client, boss.username).status_code == 302
    data = _setup_data(client, {"n1": "Grupa A", "n2": "grupa a"}, {worker.id or 0: ("999", "n1"), boss.id or 0: ("", "n2")},
                       anchor="32.13.2026")
    body = client.post("/rota/setup", data=data).get_data(as_text=True)
    assert "Dwie grupy nie mogą się tak samo nazywać." in body
    assert "Nieprawidłowa data." in body and "Wybierz sekcję z listy." in body


def test_only_supervisors_change_the_rota_but_everyone_sees_it(
    monday: time_machine.Coordinates, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    """A worker reads /rota; set-up and absences answer 403."""
    login_as(Role.WORKER)
    assert client.get("/rota").status_code == 200
    assert client.get("/rota/setup").status_code == 403
    assert client.get("/rota/absences").status_code == 403


def test_an_uncovered_section_is_flagged_on_the_week_and_the_dashboard(
    monday: time_machine.Coordinates, client: FlaskClient, db: Session, office: Office, user_factory: Callable[..., User]
) -> None:
    """The fund's two people are both in group B: in A's week nobody of the fund is inside, every working day."""
    boss = user_factory(Role.SUPERVISOR)
    fund = make_section(db, office, "Fundusz alimentacyjny")
    benefits = make_section(db, office, "Świadczenia rodzinne", 1)
    people = [user_factory(Role.WORKER) for _ in range(4)]
    make_rota(db, office, date(2026, 3, 2), [(people[0], benefits, 0), (people[1], benefits, 1),
                                             (people[2], fund, 1), (people[3], fund, 1)])
    assert login(client, boss.username).status_code == 302
    week = client.get("/rota").get_data(as_text=True)
    assert week.count("Nikogo z sekcji w ośrodku.") == 5
    assert "W tym tygodniu 5 razy sekcja ma nikogo albo wszystkich w ośrodku." in week
    board = client.get("/review/dashboard").get_data(as_text=True)
    assert "Obsada w tym tygodniu" in board and board.count("Fundusz alimentacyjny: nikogo w ośrodku") == 5
    next_week = client.get("/rota?week=2026-03-09").get_data(as_text=True)
    assert next_week.count("Cała sekcja w ośrodku naraz") == 5


def test_absences_are_added_checked_and_removed(
    monday: time_machine.Coordinates, client: FlaskClient, db: Session, user_factory: Callable[..., User]
) -> None:
    """Sick leave Tuesday–Thursday is stored; a period ending before it starts or overlapping it is refused."""
    boss = user_factory(Role.SUPERVISOR)
    worker = user_factory(Role.WORKER, full_name="Paweł Łuczak")
    assert login(client, boss.username).status_code == 302
    form = {"user_id": str(worker.id), "kind": "sick_leave", "starts_on": "2026-03-03", "ends_on": "2026-03-05"}
    assert client.post("/rota/absences", data={"csrf_token": token(client, "/rota"), **form}).status_code == 302
    backwards = {**form, "starts_on": "2026-03-10", "ends_on": "2026-03-09"}
    response = client.post("/rota/absences", data={"csrf_token": token(client, "/rota"), **backwards})
    assert response.status_code == 422
    assert "Ostatni dzień nie może być wcześniejszy niż pierwszy." in response.get_data(as_text=True)
    overlap = {**form, "kind": "quarantine", "starts_on": "2026-03-05", "ends_on": "2026-03-12"}
    response = client.post("/rota/absences", data={"csrf_token": token(client, "/rota"), **overlap})
    assert "Ta osoba ma już wpisaną nieobecność w tych dniach" in response.get_data(as_text=True)
    absence = db.exec(select(RotaException)).one()
    assert "Paweł Łuczak" in client.get("/rota/absences").get_data(as_text=True)
    removed = client.post(f"/rota/absences/{absence.id}/remove", data={"csrf_token": token(client, "/rota")})
    assert removed.status_code == 302 and db.exec(select(RotaException)).all() == []
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.object_type == "rota_exception")).all()
    assert actions == ["rota.absence_add", "rota.absence_remove"]
