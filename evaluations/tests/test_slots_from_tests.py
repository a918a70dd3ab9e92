"""Built from the blocks' tests, not from the block order: a candidate's slot (the tests of the blocks they sit, plus
extra time), the convocation (each test, its length, the document to hand in), the documents a candidate uploads
(one per test asking for one) and the jury's file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from candidates import services as candidate_services
from candidates.models import AccommodationKind, Enrolment
from candidates.selectors import candidate_documents
from cqp.models import BlockTest, CertificationVersion, TrainingOrganisation
from evaluations import selectors, services
from evaluations.convocation import convocation_text
from evaluations.models import EvaluationSession, SessionCandidate, SessionMode
from tests.factories import enrol, make_candidate

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SESSION_DAY = dt.date(2026, 4, 1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _today() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=PARIS), tick=False) as traveller:
        yield traveller


@pytest.fixture
def approved(organisation: TrainingOrganisation) -> TrainingOrganisation:
    organisation.approval_start = dt.date(2025, 1, 1)
    organisation.approval_end = dt.date(2027, 12, 31)
    organisation.save()
    return organisation


def version(rncp_code: str) -> CertificationVersion:
    return CertificationVersion.objects.get(rncp_code=rncp_code)


def schedule(rncp_code: str, organisation: TrainingOrganisation, staff: User, **fields: Any) -> EvaluationSession:
    return services.session_schedule(
        version=version(rncp_code),
        organisation=organisation,
        starts_on=SESSION_DAY,
        ends_on=None,
        mode=SessionMode.ON_SITE,
        address="12 rue de Turbigo\n75003 Paris",
        created_by=staff,
        **fields,
    )


def place(session: EvaluationSession, n: int, codes: list[str] | None = None) -> SessionCandidate:
    blocks = None if codes is None else list(session.version.blocks.filter(code__in=codes))
    candidate = make_candidate(session.organisation, n)
    enrolment = enrol(candidate, session.version, blocks=blocks, access_route="formation_continue")
    return services.session_add_candidate(session=session, enrolment=enrolment)


def minutes(place: SessionCandidate) -> int:
    return int((place.ends_at - place.starts_at).total_seconds() // 60)


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


# Slots ------------------------------------------------------------------------------------------------------


def test_a_slot_lasts_the_tests_of_the_blocks_sat_plus_extra_time(referential, approved, staff) -> None:
    session = schedule("RNCP26850", approved, staff)
    assert session.slot_minutes == 45 and not session.slot_fixed  # both blocks: 20 + 25
    both, bc1, bc2 = place(session, 0), place(session, 1, ["BC1"]), place(session, 2, ["BC2"])
    assert [minutes(both), minutes(bc1), minutes(bc2)] == [45, 20, 25]
    assert [local(p.starts_at) for p in (both, bc1, bc2)] == ["09:00", "09:45", "10:05"]

    enrolment = enrol(make_candidate(approved, 3), session.version, blocks=None, access_route="formation_continue")
    candidate_services.accommodation_add(
        enrolment=enrolment,
        kind=AccommodationKind.EXTRA_TIME,
        extra_minutes=15,
        measure="Tiers temps",
        referent="Mme Durand",
        approved_on=dt.date(2026, 2, 1),
    )
    assert minutes(services.session_add_candidate(session=session, enrolment=enrolment)) == 45 + 15


def test_a_length_set_by_the_organisation_holds_for_every_candidate(referential, approved, staff) -> None:
    session = schedule("RNCP26850", approved, staff, slot_minutes=60)
    assert session.slot_fixed
    assert [minutes(place(session, 0)), minutes(place(session, 1, ["BC1"]))] == [60, 60]


def test_31313_needs_no_length_typed_any_more_and_fills_a_day_per_candidate(referential, approved, staff) -> None:
    session = services.session_schedule(
        version=version("RNCP31313"),
        organisation=approved,
        starts_on=SESSION_DAY,
        ends_on=SESSION_DAY + dt.timedelta(days=1),
        mode=SessionMode.ON_SITE,
        address="12 rue de Turbigo\n75003 Paris",
        created_by=staff,
    )
    assert session.slot_minutes == 410
    first = place(session, 0)
    assert (local(first.starts_at), local(first.ends_at)) == ("09:00", "15:50")
    second = place(session, 1, ["BC3"])  # the repair and the interview on the report, the next morning
    assert minutes(second) == 180 + 30 and second.starts_at.date() == SESSION_DAY + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="complète"):
        place(session, 2)


# The convocation --------------------------------------------------------------------------------------------


def test_the_convocation_lists_the_tests_sat_and_the_documents_to_hand_in(referential, approved, staff) -> None:
    session = schedule("RNCP31313", approved, staff)
    _subject, body = convocation_text(place(session, 0, ["BC1", "BC3"]))
    assert "Vos épreuves :" in body
    assert "- BC1 — Jeu de rôle : Jeux de rôle" in body and "(30 min)" in body
    assert (
        "- BC3 — Entretien technique sur rapport d'activité : Entretien technique oral à partir d'un rapport "
        "d'activité professionnelle réalisé et présenté par le candidat (30 min) ; document à remettre : Rapport "
        "d'activité professionnelle"
    ) in body
    assert "BC2" not in body and "BC4" not in body  # not sat
    assert "Déposez le document demandé dans votre espace candidat" in body


# The candidate's uploads --------------------------------------------------------------------------------------


def board_labels(enrolment: Enrolment) -> list[str]:
    board = candidate_documents(enrolment.candidate, [enrolment])
    return [part.label for part in board.parts]


def test_uploads_offer_one_slot_per_test_asking_for_a_document(referential, approved, staff) -> None:
    watch = enrol(make_candidate(approved, 0), version("RNCP31313"), access_route="formation_continue")
    polish = enrol(make_candidate(approved, 1), version("RNCP26850"), access_route="formation_continue")
    assert board_labels(watch) == [
        "Rapport d'activité professionnelle — BC3 Réviser, réparer, régler et procéder à l’habillage des montres à "
        "complications"
    ]
    assert [label.split(" — ")[0] for label in board_labels(polish)] == ["Partie A", "Partie B"]


def test_a_document_goes_with_its_test_and_a_block_alone_finds_it(referential, approved, staff) -> None:
    enrolment = enrol(make_candidate(approved, 0), version("RNCP31313"), access_route="formation_continue")
    report = BlockTest.objects.get(block__version=enrolment.version, document_required=True)
    practical = BlockTest.objects.get(block=report.block, document_required=False)

    def send(**target: Any) -> Any:
        return candidate_services.document_upload(
            candidate=enrolment.candidate,
            uploaded_by=staff,
            kind="livret_part",
            file=SimpleUploadedFile("rapport.pdf", PDF, content_type="application/pdf"),
            enrolment=enrolment,
            **target,
        )

    assert send(test=report).test == report
    assert send(block=report.block).test == report  # replaces it
    assert enrolment.documents.count() == 1
    with pytest.raises(ValidationError, match="ne demande aucun document"):
        send(test=practical)
    bc1 = enrolment.version.blocks.get(code="BC1")
    with pytest.raises(ValidationError, match="Aucune épreuve du bloc BC1 ne demande de document"):
        send(block=bc1)


# The jury's file --------------------------------------------------------------------------------------------


def test_the_jurys_file_lists_the_tests_sat_with_the_documents_handed_in(referential, approved, staff) -> None:
    session = schedule("RNCP26850", approved, staff)
    seat = place(session, 0)
    part_a = BlockTest.objects.get(block__version=session.version, document_label="Partie A")
    document = candidate_services.document_upload(
        candidate=seat.enrolment.candidate,
        uploaded_by=staff,
        kind="livret_part",
        file=SimpleUploadedFile("A.pdf", PDF, content_type="application/pdf"),
        enrolment=seat.enrolment,
        test=part_a,
    )
    file = selectors.candidate_file(
        [t.block for t in selectors.place_tests(seat)], seat.enrolment.documents.select_related("block", "test__block")
    )
    assert [(e.test.document_label, e.document) for e in file.entries] == [("Partie A", document), ("Partie B", None)]
    assert file.missing == 1 and file.others == []
