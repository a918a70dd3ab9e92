"""Every page, document and e-mail that speaks of a candidate or holder whose sex is recorded agrees with it
(issue 14): rendered for a woman and for a man through the real code path (the view, the function that writes a
PDF's HTML before WeasyPrint — replaced here by a stand-in that keeps the HTML —, the service that builds the
e-mail), none says "(e)"; "(e)" is left only where the sex is unknown (a parchment issued before the sex was
copied into its mentions)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from candidates import services as candidate_services
from candidates.models import Candidate
from certificates import rendering
from certificates import services as certificate_services
from certificates.models import Parchment
from certificates.tests import conftest as paper
from cqp.models import CertificationVersion
from demo.builders import Decided
from evaluations import services as evaluation_services
from evaluations.convocation import convocation_text
from evaluations.models import Attendance, EvaluationSession, SessionCandidate, SessionMode
from results.appeals import letters
from results.tests.test_addenda import revise
from results.tests.test_appeal_services import examine, failed, record
from tests.factories import BlockFactory, UserFactory, VersionFactory, enrol, make_candidate

pytestmark = pytest.mark.django_db

world, decided, signed, validated, issued, commit = (
    paper.world,
    paper.decided,
    paper.signed,
    paper.validated,
    paper.issued,
    paper.commit,
)

# The words that agree, by sex: what a birth line says ("née le"), and a past participle said of the person.
FORMS: dict[str, dict[str, str]] = {
    "F": {"born": "née", "Born": "Née", "enrolled": "inscrite", "excluded": "exclue", "told": "informée"},
    "M": {"born": "né", "Born": "Né", "enrolled": "inscrit", "excluded": "exclu", "told": "informé"},
}
SEXES = pytest.mark.parametrize("sex", ["F", "M"], ids=["woman", "man"])


def text_of(html: str) -> str:
    """The words as read: tags and line breaks gone, entities of apostrophes back."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").replace("&#39;", "'").split())


def assert_agrees(rendered: str, *expected: str) -> None:
    text = text_of(rendered)
    assert "(e)" not in text, text[max(0, text.find("(e)") - 80) : text.find("(e)") + 20]
    for words in expected:
        assert words in text, words


class PdfStandIn:
    """`weasyprint.HTML` for the views that write a PDF in the request: keeps the HTML, writes no PDF."""

    rendered: list[str] = []

    def __init__(self, *, string: str, **_options: Any) -> None:
        PdfStandIn.rendered.append(string)

    def write_pdf(self, **_options: Any) -> bytes:
        return b"%PDF-1.7 stand-in"


@pytest.fixture
def pdf_html(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    PdfStandIn.rendered = []
    monkeypatch.setattr("weasyprint.HTML", PdfStandIn)
    return PdfStandIn.rendered


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The decided world: the PV, the parchment, the revocation, the addendum, the appeal's letters ----------


def holders_are(d: Decided, sex: str, **fields: Any) -> None:
    Candidate.objects.filter(enrolments__version=d.world.version).update(sex=sex, **fields)


def total_of(d: Decided) -> Any:
    return next(decision for decision in d.decisions if decision.kind == "total")


def render_pv(d: Decided) -> str:
    pv = certificate_services.pv_for(d.certification)
    assert pv is not None
    with translation.override("fr"):
        return rendering._html(rendering.pv_context(pv), "certificates/pdf/pv.html")


def render_parchment(d: Decided) -> str:
    decision = total_of(d)
    mentions = certificate_services.parchment_mentions(
        decision=decision,
        kind="full",
        blocks=[],
        issued_on=timezone.localdate(),
        certifier=d.world.version.certifier,
    )
    parchment = Parchment(mentions=mentions, prefix="CQP", number=1, version=1, verification_code="8RW4EX8F14")
    with translation.override("fr"):
        fields = rendering.holder_fields(parchment)
        return rendering._parchment_html(rendering._shared_mentions(mentions), fields, "Parchemin")


def render_revocation(d: Decided) -> str:
    page = logged_in(d.world.admin).post(
        reverse("results:revoke", args=[total_of(d).pk]),
        {"reason": "Fraude établie", "reference": "DEC-2026-014", "fraud": "on", "decided_on": timezone.localdate()},
    )
    assert page.status_code == 200 and 'data-testid="confirm-ban"' in page.content.decode()
    return page.content.decode()


def render_addendum_page(d: Decided) -> str:
    revised = revise(d)
    page = logged_in(revised.members[0]).get(reverse("results:addendum", args=[revised.new.pk]))
    assert page.status_code == 200
    return page.content.decode()


def render_addendum_pdf(d: Decided, pdf_html: list[str]) -> str:
    revised = revise(d)
    answer = logged_in(d.world.admin).get(reverse("results:addendum_pdf", args=[revised.new.pk]))
    assert answer.status_code == 200 and len(pdf_html) == 1
    return pdf_html[0]


def render_letters(d: Decided) -> str:
    appeal = examine(d, record(d, decision=failed(d)))
    with translation.override("fr"):
        return "\n".join(
            rendering._html(letters.letter_context(appeal, letter.kind), "results/appeals/pdf/letter.html")
            for letter in letters.letters(appeal)
        )


@SEXES
@pytest.mark.parametrize(
    ("document", "render", "expected"),
    [
        pytest.param("pv", render_pv, ["{born} le"], id="pv"),
        pytest.param("parchment", render_parchment, ["{born} le", "({born} MARTIN"], id="parchment"),
        pytest.param("revocation", render_revocation, ["sera {excluded} de la certification"], id="revocation"),
        pytest.param("addendum page", render_addendum_page, ["{born} le"], id="addendum-page"),
        pytest.param("addendum pdf", render_addendum_pdf, ["{born} le"], id="addendum-pdf"),
        pytest.param("appeal letters", render_letters, ["Nous vous tiendrons {told} de la suite"], id="letters"),
    ],
)
def test_the_holders_documents_agree(
    issued: Decided, pdf_html: list[str], sex: str, document: str, render: Callable[..., str], expected: list[str]
) -> None:
    # Married name kept apart from the birth name: the parchment says "(née MARTIN)".
    holders_are(issued, sex, usage_name="DURAND")
    rendered = render(issued, pdf_html) if document == "addendum pdf" else render(issued)
    assert_agrees(rendered, *(words.format(**FORMS[sex]) for words in expected))


def test_a_parchment_issued_before_the_sex_was_copied_says_ne_e() -> None:
    mentions: dict[str, Any] = {"holder": {"name": "Camille MARTIN", "birth_date": "1995-01-01", "birth_place": "Dole"}}
    parchment = Parchment(mentions=mentions, prefix="CQP", number=1, version=1, verification_code="8RW4EX8F14")
    with translation.override("fr"):
        assert rendering.holder_fields(parchment)["birth"].startswith("né(e) le")


# --- A session: the attendance sheet, the convocation, the candidate's page and space, the invitation -------


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


def person(sex: str) -> dict[str, Any]:
    return {"first_name": "Julie" if sex == "F" else "Paul", "sex": sex}


@SEXES
def test_the_attendance_sheet_and_its_pdf_agree(
    staff: Any, session: EvaluationSession, pdf_html: list[str], sex: str
) -> None:
    candidate = make_candidate(session.organisation, **person(sex))
    place = evaluation_services.session_add_candidate(session=session, enrolment=enrol(candidate, session.version))
    SessionCandidate.objects.filter(pk=place.pk).update(attendance=Attendance.PRESENT, signed_at=timezone.now())
    client = logged_in(staff)

    page = client.get(reverse("evaluations:attendance", args=[session.pk])).content.decode()
    assert client.get(reverse("evaluations:attendance_pdf", args=[session.pk])).status_code == 200

    present = "Présente" if sex == "F" else "Présent"
    assert_agrees(page, f"{FORMS[sex]['born']} le", present)
    assert_agrees(pdf_html[0], present, "émargée à" if sex == "F" else "émargé à")


@SEXES
def test_the_convocation_agrees(session: EvaluationSession, sex: str) -> None:
    candidate = make_candidate(session.organisation, **person(sex))
    place = evaluation_services.session_add_candidate(session=session, enrolment=enrol(candidate, session.version))
    subject, body = convocation_text(place)
    assert_agrees(subject + "\n" + body, "Vous êtes convoquée" if sex == "F" else "Vous êtes convoqué aux")


@SEXES
def test_the_candidates_page_agrees(staff: Any, session: EvaluationSession, sex: str) -> None:
    candidate = make_candidate(session.organisation, **person(sex))
    enrol(candidate, session.version)
    page = logged_in(staff).get(reverse("candidates:detail", args=[candidate.pk])).content.decode()
    assert_agrees(page.split("<main", 1)[-1], f"{FORMS[sex]['Born']} le")


@SEXES
def test_the_invitation_to_an_existing_account_and_its_page_agree(
    session: EvaluationSession, django_capture_on_commit_callbacks: Any, sex: str
) -> None:
    owner = UserFactory(email="julie.paul@example.org")
    candidate = make_candidate(session.organisation, email=owner.email, **person(sex))
    with django_capture_on_commit_callbacks(execute=True):
        candidate_services.candidate_invite(candidate=candidate, site_url="http://testserver")
    body = str(mail.outbox[-1].body)
    link = re.search(r"http://testserver(/\S+)", body)
    assert link is not None
    page = logged_in(owner).get(link.group(1))

    enrolled = f"vous a {FORMS[sex]['enrolled']} comme candidat{'e' if sex == 'F' else ''}"
    # Who reads the message may not be the candidate (a shared address): « concerné(e) » is kept there.
    assert_agrees(body.replace("concerné(e)", ""), enrolled)
    assert page.status_code == 200
    assert_agrees(page.content.decode(), enrolled)


@SEXES
def test_the_vae_candidates_space_agrees(
    session: EvaluationSession, django_capture_on_commit_callbacks: Any, sex: str
) -> None:
    candidate = make_candidate(session.organisation, **person(sex))
    enrol(candidate, session.version, access_route="vae")
    with django_capture_on_commit_callbacks(execute=True):
        candidate_services.candidate_invite(candidate=candidate, site_url="http://testserver")
    candidate.refresh_from_db()
    home = logged_in(candidate.user).get("/").content.decode()
    assert_agrees(home, f"Vous êtes {FORMS[sex]['enrolled']} par la VAE")


@SEXES
def test_the_session_page_says_who_is_placed_elsewhere(staff: Any, session: EvaluationSession, sex: str) -> None:
    candidate = make_candidate(session.organisation, **person(sex))
    place = evaluation_services.session_add_candidate(session=session, enrolment=enrol(candidate, session.version))
    # Enrolled in a second certification too, and placed in its session the week after (rows copied: the
    # referential has a single certification in force).
    version = VersionFactory()
    BlockFactory(version=version)
    other = EvaluationSession.objects.get(pk=session.pk)
    other.pk, other.version = None, version
    other.starts_on = other.ends_on = session.starts_on + dt.timedelta(days=7)
    other.save()
    place.pk, place.session, place.enrolment = None, other, enrol(candidate, version)
    place.save()

    page = logged_in(staff).get(reverse("evaluations:detail", args=[session.pk])).content.decode()

    assert_agrees(page, "Aussi placée ailleurs" if sex == "F" else "Aussi placé ailleurs")
