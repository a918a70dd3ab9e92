"""French that fits the person (issue 14): words agreed with the recorded sex ("née" / "né", "Présente" /
"Présent"), "(e)" only where the sex is unknown; enumeration values shown by their labels in the results
history; "CQP" kept in capitals in running text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone

from candidates.models import Candidate
from certificates import rendering
from certificates.models import Parchment
from cqp.lib import agreement
from cqp.models import CertificationVersion
from evaluations import services as evaluation_services
from evaluations.convocation import convocation_text
from evaluations.models import Attendance, EvaluationSession, SessionCandidate, SessionMode
from juries.models import AuditAction, AuditEntry
from juries.views import describe
from tests.factories import enrol, make_candidate

WOMAN: dict[str, Any] = {"first_name": "Julie", "sex": "F"}
MAN: dict[str, Any] = {"first_name": "Paul", "sex": "M"}
# (fields, the forms that agree with them)
PEOPLE = [(WOMAN, {"born": "née", "present": "Présente"}), (MAN, {"born": "né", "present": "Présent"})]
IDS = ["woman", "man"]


# --- The helper --------------------------------------------------------------------------------------


def test_agree_gives_the_form_of_the_recorded_sex_and_the_inclusive_one_only_when_unknown() -> None:
    assert agreement.agree("F", "né", "née") == "née"
    assert agreement.agree("M", "né", "née") == "né"
    for unknown in ("", None, "X"):
        assert agreement.agree(unknown, "né", "née") == "né(e)"
    assert agreement.agree("", "Candidat", "Candidate") == "Candidat(e)"
    assert agreement.agree("", "il", "elle") == "il/elle"
    assert agreement.agree("", "exclu", "exclue", "exclu·e") == "exclu·e"


def test_the_template_filters() -> None:
    template = Template('{% load agreement %}{{ sex|agree:"né,née" }} · {{ label|lower_first }}')
    assert template.render(Context({"sex": "F", "label": "Formateur ou accompagnateur CQP"})) == (
        "née · formateur ou accompagnateur CQP"
    )
    assert (
        template.render(Context({"sex": "M", "label": "Représentant des salariés"})) == "né · représentant des salariés"
    )
    assert template.render(Context({"sex": "", "label": "CPNEFP"})) == "né(e) · CPNEFP"


def test_an_attendance_is_said_of_its_candidate() -> None:
    assert agreement.attendance_label("present", "Présent", "F") == "Présente"
    assert agreement.attendance_label("present", "Présent", "M") == "Présent"
    assert agreement.attendance_label("absent", "Absent", "") == "Absent(e)"
    assert agreement.attendance_label("excluded", "Exclu pour fraude", "F") == "Exclue pour fraude"
    assert agreement.attendance_label("cancelled", "Session annulée", "F") == "Session annulée"


# --- The parchment ------------------------------------------------------------------------------------


def mentions(sex: str | None) -> dict[str, Any]:
    holder: dict[str, Any] = {"name": "Julie MARTIN", "birth_date": "1995-01-01", "birth_place": "Besançon"}
    if sex is not None:
        holder["sex"] = sex
    return {
        "kind": "full",
        "certification": {
            "rncp_code": "RNCP26850",
            "rncp_number": "RNCP 26850",
            "title": "CQP Opérateur en polissage",
            "level": 3,
            "eu_level": 3,
            "nsf_codes": ["223"],
            "decision_date": "2016-12-15",
            "decision_reference": "",
        },
        "certifier": {
            "legal_name": "CPNEFP HBJO",
            "delegate_name": "CNHBJO",
            "signatory_name": "Jeanne Fabre",
            "signatory_title": "Présidente",
        },
        "holder": holder,
        "blocks": [],
        "jury_date": "2026-06-01",
        "issued_on": "2026-06-15",
        "issued_at": "Paris",
    }


def parchment_html(sex: str | None) -> str:
    parchment = Parchment(mentions=mentions(sex), prefix="CQP", number=1, version=1, verification_code="8RW4EX8F14")
    return rendering._parchment_html(mentions(sex), rendering.holder_fields(parchment), "Parchemin")


@pytest.mark.parametrize(("sex", "born"), [("F", "née le"), ("M", "né le")], ids=IDS)
def test_the_parchment_says_nee_or_ne(sex: str, born: str) -> None:
    html = parchment_html(sex)
    assert f">{born}" in html
    assert "(e)" not in html


def test_a_parchment_issued_before_the_sex_was_copied_says_ne_e() -> None:
    assert ">né(e) le" in parchment_html(None)


# --- The attendance sheet, the convocation, the messages ------------------------------------------------


@pytest.fixture
def session(organisation: Any, staff: Any, referential: None) -> EvaluationSession:
    organisation.approval_start, organisation.approval_end = dt.date(2025, 1, 1), dt.date(2030, 12, 31)
    organisation.save()
    return evaluation_services.session_schedule(
        version=CertificationVersion.objects.get(rncp_code="RNCP26850"),
        organisation=organisation,
        starts_on=timezone.localdate() + dt.timedelta(days=30),
        ends_on=None,
        mode=SessionMode.ON_SITE,
        address="12 rue de Turbigo\n75003 Paris",
        created_by=staff,
    )


def place_of(session: EvaluationSession, fields: dict[str, Any]) -> SessionCandidate:
    candidate = make_candidate(session.organisation, **fields)
    return evaluation_services.session_add_candidate(session=session, enrolment=enrol(candidate, session.version))


@pytest.mark.parametrize(("fields", "forms"), PEOPLE, ids=IDS)
def test_the_attendance_sheet_and_its_pdf_agree(client, staff, session, fields, forms) -> None:
    place = place_of(session, fields)
    SessionCandidate.objects.filter(pk=place.pk).update(attendance=Attendance.PRESENT, signed_at=timezone.now())
    client.force_login(staff)
    page = client.get(f"/sessions/{session.pk}/emargement/").content.decode()
    assert f"{forms['born']} le" in page and f">{forms['present']}</span>" in page
    printed = render_to_string(
        "evaluations/pdf/attendance_sheet.html",
        {"session": session, "places": SessionCandidate.objects.filter(pk=place.pk), "incidents": []},
    )
    assert f"<td>{forms['present']}<br>" in printed
    assert "(e)" not in page and "(e)" not in printed


@pytest.mark.parametrize(("fields", "word"), [(WOMAN, "convoquée"), (MAN, "convoqué")], ids=IDS)
def test_the_convocation_email_agrees(session, fields, word) -> None:
    _subject, body = convocation_text(place_of(session, fields))
    assert f"Vous êtes {word} aux épreuves" in body
    assert "(e)" not in body


@pytest.mark.parametrize(
    ("fields", "message"),
    [(WOMAN, "Candidate MARTIN0 Julie enregistrée."), (MAN, "Candidat MARTIN0 Paul enregistré.")],
    ids=IDS,
)
def test_the_candidate_created_message_agrees(client, staff, fields, message) -> None:
    client.force_login(staff)
    response = client.post(
        "/candidats/nouveau/",
        {
            "birth_name": "MARTIN0",
            "birth_date": "1995-01-01",
            "birth_commune": "Besançon",
            "birth_insee_code": "25056",
            "birth_country": "France",
            "email": "martin0@example.org",
            **fields,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [message]
    detail = client.get(response.url).content.decode()
    assert ("Née le" if fields["sex"] == "F" else "Né le") in detail and "Né(e) le" not in detail


@pytest.mark.parametrize(("fields", "word"), [(WOMAN, "placée"), (MAN, "placé")], ids=IDS)
def test_the_placement_messages_agree_and_say_no_convocation_left(client, staff, session, fields, word) -> None:
    candidate = make_candidate(session.organisation, **fields)
    other = evaluation_services.session_schedule(
        version=CertificationVersion.objects.get(rncp_code="RNCP31313"),
        organisation=session.organisation,
        starts_on=session.starts_on + dt.timedelta(days=7),
        ends_on=session.starts_on + dt.timedelta(days=9),
        mode=SessionMode.REMOTE,
        connection_details="https://visio.example.org/cqp",
        created_by=staff,
    )
    evaluation_services.session_add_candidate(
        session=other, enrolment=enrol(candidate, other.version, access_route="formation_continue")
    )
    enrolment = enrol(candidate, session.version)
    client.force_login(staff)
    response = client.post(f"/sessions/{session.pk}/candidats/", {"enrolment": enrolment.pk}, follow=True)
    said = " ".join(str(m) for m in response.context["messages"])
    assert "la convocation n'est pas encore envoyée" in said and "convoqué" not in said
    assert f"est aussi {word} à une autre session" in said and "(e)" not in said


# --- The results history ------------------------------------------------------------------------------


def test_the_history_shows_labels_not_stored_values(client, certifier_admin, organisation, referential) -> None:
    candidate: Candidate = make_candidate(organisation)
    AuditEntry.objects.create(
        candidate=candidate,
        action=AuditAction.GRID_SUBMITTED,
        subject="Grille BC1",
        before={"statut": "draft", "notes": {"C1.1": "A"}},
        after={"statut": "submitted", "notes": {"C1.1": "A"}},
    )
    AuditEntry.objects.create(
        candidate=candidate,
        action=AuditAction.DECISION,
        subject="Jury",
        after={"issue": "partial", "blocs": ["BC1"], "fraude": False},
    )
    client.force_login(certifier_admin)
    page = client.get(f"/jurys/historique/{candidate.pk}/").content.decode()
    assert "statut : En cours de saisie" in page and "statut : Validée" in page
    assert "issue : Attribution partielle" in page and "fraude : non" in page
    for raw in ("draft", "submitted", "partial", "False"):
        assert raw not in page.split("<main", 1)[-1], raw


def test_a_value_typed_by_a_person_is_shown_as_it_is() -> None:
    assert describe({"issue": "Accord trouvé", "statut": "total"}) == "issue : Accord trouvé ; statut : total"
