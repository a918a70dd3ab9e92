"""Importing prior acquisitions from CSV or XLSX: every row checked by the form's rule, the candidate found by
the candidates import's identity matching, all rows or none, each row's error in French, bounded files, a
preview before anything is written."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import User
from candidates.models import Candidate
from cqp.models import CertificationVersion
from juries.models import AuditEntry, PriorAcquisition
from juries.services.prior import prior_acquisition_record
from results import importing
from results.views.prior import IMPORT_SESSION_KEY
from tests.factories import make_candidate
from tests.worlds import World, world

__all__ = ["world"]

pytestmark = pytest.mark.django_db

HEADER = [
    "Nom de naissance",
    "Prénom",
    "Date de naissance",
    "Certification",
    "Bloc",
    "Date d'acquisition",
    "Source",
    "Référence",
]


@pytest.fixture
def people(staff: User, referential: None) -> list[Candidate]:
    """Julie MARTIN1 (born 2 January 1995) and Élodie LE GOFF (23 November 1990)."""
    return [
        make_candidate(staff.organisation, 1, created_by=staff),
        make_candidate(
            staff.organisation, 2, birth_name="Le Goff", first_name="Élodie", birth_date=dt.date(1990, 11, 23)
        ),
    ]


def line(**overrides: str) -> dict[str, str]:
    row = {
        "Nom de naissance": "MARTIN1",
        "Prénom": "Julie",
        "Date de naissance": "02/01/1995",
        "Certification": "RNCP26850",
        "Bloc": "BC1",
        "Date d'acquisition": "15/06/2019",
        "Source": "PV papier",
        "Référence": "PV 2019-014",
    }
    row.update(overrides)
    return row


def csv_file(rows: list[dict[str, str]], header: list[str] = HEADER) -> bytes:
    lines = [";".join(header)] + [";".join(row.get(h, "") for h in header) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def xlsx_file(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append([row.get(h, "") for h in HEADER])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [
    line(),
    line(
        **{
            "Nom de naissance": "le goff",
            "Prénom": "elodie",
            "Date de naissance": "23/11/1990",
            "Certification": "26850",
            "Bloc": "RNCP26850BC02",
            "Source": "logiciel antérieur",
            "Référence": "Dossier 4521",
        }
    ),
]


def admin_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_good_file_is_previewed_then_recorded_whole(certifier_admin: User, people: list[Candidate]) -> None:
    client = admin_client(certifier_admin)
    upload = SimpleUploadedFile("acquis.csv", csv_file(GOOD), content_type="text/csv")
    preview = client.post(reverse("results:prior_import"), {"file": upload})
    assert preview.status_code == 200
    assert "2 lignes prêtes" in preview.text
    assert not PriorAcquisition.objects.exists()  # nothing before the confirmation
    token = client.session[IMPORT_SESSION_KEY]["token"]

    done = client.post(reverse("results:prior_import_confirm"), {"token": token})
    assert done.status_code == 302
    recorded = PriorAcquisition.objects.order_by("pk")
    assert [(p.candidate, p.block.code, p.source, p.reference) for p in recorded] == [
        (people[0], "BC1", "paper_pv", "PV 2019-014"),
        (people[1], "BC2", "earlier_software", "Dossier 4521"),
    ]
    assert AuditEntry.objects.filter(action="prior_acquisition").count() == 2
    assert "2 acquis antérieurs importés." in client.get(done["Location"]).text


def test_an_xlsx_file_is_read_too(certifier_admin: User, people: list[Candidate]) -> None:
    rows: list[dict[str, Any]] = [
        {**line(), "Date de naissance": dt.date(1995, 1, 2), "Date d'acquisition": dt.date(2019, 6, 15)}
    ]
    recorded = importing.prior_acquisitions_import(
        content=xlsx_file(rows), filename="a.xlsx", recorded_by=certifier_admin
    )
    assert [(p.candidate, p.acquired_on) for p in recorded] == [(people[0], dt.date(2019, 6, 15))]


def test_one_bad_row_writes_nothing_and_every_rows_error_is_listed(
    certifier_admin: User, people: list[Candidate]
) -> None:
    rows = [
        line(),
        line(**{"Nom de naissance": "Inconnu"}),
        line(**{"Bloc": "BC7", "Prénom": "Élodie", "Nom de naissance": "Le Goff", "Date de naissance": "23/11/1990"}),
        line(
            **{
                "Source": "oral",
                "Date d'acquisition": "31/02/2019",
                "Nom de naissance": "Le Goff",
                "Prénom": "Élodie",
                "Date de naissance": "23/11/1990",
            }
        ),
    ]
    with pytest.raises(ValidationError) as refused:
        importing.prior_acquisitions_import(content=csv_file(rows), filename="a.csv", recorded_by=certifier_admin)
    messages = refused.value.messages
    assert not PriorAcquisition.objects.exists()
    assert any(m.startswith("Ligne 3 — Nom de naissance : aucun candidat de ce nom de naissance") for m in messages)
    assert "Ligne 4 — Bloc : « BC7 » n'est pas un bloc de RNCP 26850." in messages
    assert "Ligne 5 — Date d'acquisition : « 31/02/2019 » n'est pas une date JJ/MM/AAAA." in messages
    assert any(m.startswith("Ligne 5 — Source : « oral » n'est pas reconnu") for m in messages)
    assert not any(m.startswith("Ligne 2") for m in messages)


def test_the_page_lists_the_errors_and_offers_no_confirmation(certifier_admin: User, people: list[Candidate]) -> None:
    client = admin_client(certifier_admin)
    upload = SimpleUploadedFile("acquis.csv", csv_file([line(), line(**{"Certification": "RNCP99999"})]))
    page = client.post(reverse("results:prior_import"), {"file": upload}).text
    assert "1 ligne en erreur" in page
    assert "« RNCP99999 » : aucune certification de ce code RNCP." in page
    assert reverse("results:prior_import_confirm") not in page
    assert IMPORT_SESSION_KEY not in client.session


def test_the_same_block_twice_in_the_file_is_refused(certifier_admin: User, people: list[Candidate]) -> None:
    preview = importing.import_preview("a.csv", csv_file([line(), line(**{"Bloc": "BC01", "Référence": "Autre"})]))
    assert [str(e) for e in preview.errors] == ["Ligne 3 — Bloc : même bloc pour le même candidat que la ligne 2."]


def test_a_block_already_recorded_is_refused_by_the_forms_rule(certifier_admin: User, people: list[Candidate]) -> None:
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    prior_acquisition_record(
        candidate=people[0],
        block=version.blocks.get(code="BC1"),
        acquired_on=dt.date(2018, 1, 1),
        source="paper_pv",
        reference="PV 1",
        recorded_by=certifier_admin,
    )
    preview = importing.import_preview("a.csv", csv_file([line()]))
    assert [str(e) for e in preview.errors] == [
        "Ligne 2 — Bloc : Le bloc BC1 est déjà enregistré comme acquis antérieur pour ce candidat."
    ]


def test_a_prior_acquisition_recorded_since_the_preview_stops_the_confirmation(
    certifier_admin: User, people: list[Candidate]
) -> None:
    client = admin_client(certifier_admin)
    client.post(reverse("results:prior_import"), {"file": SimpleUploadedFile("a.csv", csv_file(GOOD))})
    token = client.session[IMPORT_SESSION_KEY]["token"]
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    prior_acquisition_record(
        candidate=people[1],
        block=version.blocks.get(code="BC2"),
        acquired_on=dt.date(2018, 1, 1),
        source="paper_pv",
        reference="PV 1",
        recorded_by=certifier_admin,
    )
    page = client.post(reverse("results:prior_import_confirm"), {"token": token}).text
    assert "Rien n&#x27;a été importé" in page
    assert PriorAcquisition.objects.count() == 1


def test_too_many_rows_are_refused_before_any_check(certifier_admin: User, people: list[Candidate]) -> None:
    preview = importing.import_preview("a.csv", csv_file([line()] * (importing.MAX_ROWS + 1)))
    assert preview.file_errors == ["Le fichier compte plus de 1\u202f000 lignes : découpez-le en plusieurs fichiers."]
    assert not preview.rows


def test_a_file_too_big_is_refused(certifier_admin: User) -> None:
    client = admin_client(certifier_admin)
    upload = SimpleUploadedFile("a.csv", b"x" * (2 * 1024 * 1024 + 1))
    page = client.post(reverse("results:prior_import"), {"file": upload}).text
    assert "Le fichier dépasse 2 Mo" in page
    assert not PriorAcquisition.objects.exists()


def test_missing_columns_are_named(certifier_admin: User) -> None:
    preview = importing.import_preview("a.csv", csv_file([line()], header=HEADER[:5]))
    assert preview.file_errors == [
        "Colonnes obligatoires absentes : Date d'acquisition, Source, Référence. "
        "La première ligne doit porter les intitulés (voir le modèle)."
    ]


def test_the_sample_file_imports_as_it_is_read(certifier_admin: User, referential: None) -> None:
    response = admin_client(certifier_admin).get(reverse("results:prior_import_sample"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = response.content.decode("utf-8-sig")
    assert content.startswith("Nom de naissance;Prénom;Date de naissance;Certification;Bloc;")
    preview = importing.import_preview("modele.csv", content.encode())
    assert not preview.file_errors
    assert len(preview.rows) == 2  # the two example people are unknown here: row errors, not file errors


def test_only_a_certifier_admin_imports(staff: User) -> None:
    client = admin_client(staff)
    assert client.get(reverse("results:prior_import")).status_code == 403
    with pytest.raises(Exception, match="administrateur du certificateur"):
        importing.prior_acquisitions_import(content=b"", filename="a.csv", recorded_by=staff)


def test_the_import_checks_identity_like_the_candidates_import(world: World, certifier_admin: User) -> None:
    """Accents, case, hyphens and spaces do not matter; the date of birth does."""
    candidate = world.places[0].enrolment.candidate  # Julie MARTIN0, 1 January 1995
    rows = [
        line(**{"Nom de naissance": "martin0", "Prénom": "JULIE", "Date de naissance": "01/01/1995"}),
        line(**{"Nom de naissance": "Martin0", "Date de naissance": "02/01/1995", "Bloc": "BC2"}),
    ]
    preview = importing.import_preview("a.csv", csv_file(rows))
    assert preview.rows[0].candidate == candidate
    assert preview.rows[1].candidate is None
    assert [e.column for e in preview.rows[1].errors] == ["Nom de naissance"]


def test_the_preview_costs_a_fixed_number_of_queries_plus_the_shared_rules_one_a_row(
    certifier_admin: User, people: list[Candidate]
) -> None:
    """Candidates, certifications and blocks are read once for the whole file; only the form's rule
    (`prior_acquisition_check`: is the block already recorded?) asks once a row, and rows are capped."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        importing.import_preview("a.csv", csv_file(GOOD[:1]))
    with CaptureQueriesContext(connection) as two:
        importing.import_preview("a.csv", csv_file(GOOD))
    assert len(two.captured_queries) == len(one.captured_queries) + 1
    assert len(one.captured_queries) == 4  # candidates, certifications, blocks, the row's check
