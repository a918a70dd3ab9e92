"""Importing candidates from CSV or XLSX: parsing, row errors in French with line and column, preview without
writing, all-or-nothing commit that validates again, limits and access."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from candidates import importing, services
from candidates.models import Candidate
from candidates.views import IMPORT_SESSION_KEY
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "Nom de naissance",
    "Prénom",
    "Sexe",
    "Date de naissance",
    "Commune de naissance",
    "Code INSEE",
    "E-mail",
    "SIRET",
]


def person(n: int = 0, **overrides: str) -> dict[str, str]:
    row = {
        "Nom de naissance": f"Martin{n}",
        "Prénom": "Julie",
        "Sexe": "F",
        "Date de naissance": f"{1 + n % 28:02d}/03/199{n % 10}",
        "Commune de naissance": "Besançon",
        "Code INSEE": "25056",
        "E-mail": f"julie{n}@example.org",
        "SIRET": "73282932000074",
    }
    row.update(overrides)
    return row


def csv_file(rows: list[dict[str, str]], *, sep: str = ";", bom: bool = False, header: list[str] = HEADER) -> bytes:
    def cell(text: str) -> str:
        return f'"{text}"' if sep in text or "\n" in text else text

    lines = [sep.join(cell(h) for h in header)]
    lines += [sep.join(cell(row.get(h, "")) for h in header) for row in rows]
    text = "\r\n".join(lines) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


def preview_of(organisation, filename: str, content: bytes) -> importing.Preview:
    return importing.import_preview(organisation=organisation, parsed=importing.parse_rows(filename, content))


def messages_of(preview: importing.Preview) -> list[str]:
    return [*preview.file_errors, *(str(error) for error in preview.errors)]


# Parsing


def test_it_reads_a_semicolon_csv_with_a_bom(organisation) -> None:
    preview = preview_of(organisation, "export.csv", csv_file([person(0), person(1)], bom=True))
    assert messages_of(preview) == []
    assert preview.can_commit and preview.ready_count == 2
    first = preview.rows[0]
    assert first.line == 2
    assert first.candidate is not None
    assert (first.candidate.birth_name, first.candidate.birth_date) == ("Martin0", dt.date(1990, 3, 1))
    assert first.candidate.birth_country == "France"  # empty column → France


def test_it_reads_a_comma_csv_with_quoted_commas_and_line_breaks(organisation) -> None:
    header = [*HEADER, "Adresse de l'entreprise"]
    rows = [person(0, **{"Adresse de l'entreprise": "12 rue Haute,\n25000 Besançon"}), person(1)]
    preview = preview_of(organisation, "EXPORT.CSV", csv_file(rows, sep=",", header=header))
    assert messages_of(preview) == []
    assert preview.rows[0].candidate.company_address == "12 rue Haute,\n25000 Besançon"
    # Lines are the spreadsheet's rows: a line break inside a cell does not shift them.
    assert [row.line for row in preview.rows] == [2, 3]


def test_it_reads_an_xlsx_with_real_date_cells_and_numbers_typed_as_numbers(organisation) -> None:
    workbook = Workbook()
    sheet = workbook.active
    header = ["NOM DE NAISSANCE", "Premier prénom", "sexe", "Date de naissance", "Commune de naissance"]
    sheet.append([*header, "code insee", "Email", "Téléphone", "Siret"])
    # A date typed in Excel is a date cell; codes and phone numbers typed as numbers have lost their zeros.
    elodie_cells = ["Lefèvre", "Élodie", "femme", dt.date(1997, 5, 14), "Bourg-en-Bresse"]
    sheet.append([*elodie_cells, 1053, "elodie@example.org", 612345678, 73282932000074])
    sheet.append([None] * 9)  # an empty line is skipped, but still counts for the line numbers
    sheet.append(["Roux", "Paul", "Homme", "1999-12-31", "Ajaccio", "2A004", "paul@example.org", None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    preview = preview_of(organisation, "candidats.xlsx", buffer.getvalue())

    assert messages_of(preview) == []
    elodie, paul = (row.candidate for row in preview.rows)
    assert [row.line for row in preview.rows] == [2, 4]
    assert (elodie.sex, elodie.birth_date, elodie.birth_insee_code) == ("F", dt.date(1997, 5, 14), "01053")
    assert (elodie.phone, elodie.company_siret) == ("0612345678", "73282932000074")
    assert preview.rows[0].raw["birth_date"] == "14/05/1997"
    assert (paul.sex, paul.birth_date, paul.birth_insee_code) == ("M", dt.date(1999, 12, 31), "2A004")


@pytest.mark.parametrize(
    "header",
    [
        ["nom de naissance", "prenom", "SEXE", "date de naissance", "Commune de Naissance", "Code Insee", "e-mail"],
        ["Nom de naissance ", "Premier prénom", "Sexe", "Date naissance", "Lieu de naissance", "INSEE", "Courriel"],
        ["NOM DE NAISSANCE", "PRÉNOM", "Sexe", "Né(e) le", "Commune de naissance", "Code INSEE", "E-MAIL"],
    ],
)
def test_headers_are_read_whatever_their_case_and_accents(organisation, header) -> None:
    row = dict(zip(header, person(0).values(), strict=False))
    preview = preview_of(organisation, "export.csv", csv_file([row], header=header))
    assert messages_of(preview) == []
    assert preview.rows[0].candidate.email == "julie0@example.org"


def test_missing_mandatory_columns_are_listed_in_one_error(organisation) -> None:
    header = ["Nom de naissance", "Prénom", "Commune de naissance"]
    preview = preview_of(organisation, "export.csv", csv_file([person(0)], header=header))
    assert preview.file_errors == [
        "Colonnes obligatoires absentes : Sexe, Date de naissance, E-mail. La première ligne doit porter les "
        "intitulés (voir le modèle)."
    ]
    assert not preview.rows and not preview.can_commit


def test_unknown_columns_are_ignored_and_listed(organisation) -> None:
    header = [*HEADER, "Numéro de dossier", "Remarques"]
    preview = preview_of(organisation, "export.csv", csv_file([person(0, Remarques="VIP")], header=header))
    assert preview.ignored_columns == ["Numéro de dossier", "Remarques"]
    assert preview.can_commit


def test_sex_and_dates_are_read_in_their_usual_french_forms(organisation) -> None:
    rows = [
        person(0, Sexe="Femme", **{"Date de naissance": "1/2/1990"}),
        person(1, Sexe="h", **{"Date de naissance": "1991-02-03"}),
        person(2, Sexe="m", **{"Date de naissance": "04.05.1992"}),
    ]
    preview = preview_of(organisation, "export.csv", csv_file(rows))
    assert messages_of(preview) == []
    assert [(r.candidate.sex, r.candidate.birth_date) for r in preview.rows] == [
        ("F", dt.date(1990, 2, 1)),
        ("M", dt.date(1991, 2, 3)),
        ("M", dt.date(1992, 5, 4)),
    ]


# Row errors: line as in the file (header is line 1), column, French message


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"Date de naissance": "31/02/1990"}, "Ligne 4 — Date de naissance : « 31/02/1990 » n'est pas une date"),
        ({"Date de naissance": ""}, "Ligne 4 — Date de naissance : indiquez la date de naissance (JJ/MM/AAAA)."),
        ({"Sexe": "X"}, "Ligne 4 — Sexe : « X » n'est pas reconnu : indiquez F ou M."),
        ({"Code INSEE": "2C001"}, "Ligne 4 — Code INSEE : Code INSEE invalide : 5 chiffres"),
        ({"Code INSEE": ""}, "Ligne 4 — Code INSEE : Pour une naissance en France, indiquez le code INSEE"),
        ({"SIRET": "73282932000075"}, "Ligne 4 — SIRET : SIRET invalide : 14 chiffres dont la clé de contrôle"),
        ({"E-mail": ""}, "Ligne 4 — E-mail : Ce champ ne peut pas être vide."),
        ({"E-mail": "julie.example.org"}, "Ligne 4 — E-mail : Saisissez une adresse de courriel valide."),
    ],
)
def test_each_bad_row_is_reported_with_its_line_and_column(organisation, overrides, expected) -> None:
    rows = [person(0), person(1), person(2, **overrides), person(3)]
    preview = preview_of(organisation, "export.csv", csv_file(rows))
    messages = messages_of(preview)
    assert len(messages) == 1 and messages[0].startswith(expected), messages
    assert (preview.ready_count, preview.error_count, preview.can_commit) == (3, 1, False)
    assert preview.rows[2].candidate is None


def test_a_row_can_carry_several_errors_in_column_order(organisation) -> None:
    row = person(0, Sexe="?", **{"Date de naissance": "hier", "E-mail": ""})
    messages = messages_of(preview_of(organisation, "export.csv", csv_file([row])))
    assert [m.split(" : ")[0] for m in messages] == [
        "Ligne 2 — Sexe",
        "Ligne 2 — Date de naissance",
        "Ligne 2 — E-mail",
    ]


def test_a_candidate_already_in_the_organisation_is_a_row_error(organisation) -> None:
    services.candidate_create(
        organisation=organisation,
        created_by=None,
        birth_name="MARTIN1",
        first_name="julie",
        sex="F",
        birth_date=dt.date(1991, 3, 2),
        birth_commune="Besançon",
        birth_insee_code="25056",
        email="deja@example.org",
    )
    messages = messages_of(preview_of(organisation, "export.csv", csv_file([person(0), person(1)])))
    assert len(messages) == 1
    assert messages[0].startswith("Ligne 3 : Cette candidate existe déjà : MARTIN1 julie, née le 2 mars 1991")


def test_the_same_person_twice_in_the_file_is_a_row_error(organisation) -> None:
    rows = [
        person(0),
        person(1),
        person(2),
        person(9, **{"Nom de naissance": "martin-0", "Date de naissance": "01/03/1990"}),
    ]
    preview = preview_of(organisation, "export.csv", csv_file(rows))
    assert messages_of(preview) == ["Ligne 5 : même personne que la ligne 2."]


# Limits and file types


def test_files_that_are_not_csv_or_xlsx_are_refused(organisation) -> None:
    for name in ("candidats.xls", "candidats.txt", "candidats.ods", "candidats"):
        preview = preview_of(organisation, name, b"Nom;Prenom\n")
        assert preview.file_errors[0].startswith("Envoyez un fichier .csv (UTF-8"), name


def test_a_file_that_is_not_utf8_is_refused_with_what_to_do(organisation) -> None:
    content = csv_file([person(0)]).decode().encode("cp1252")
    preview = preview_of(organisation, "export.csv", content)
    assert preview.file_errors == [
        "Le fichier n'est pas encodé en UTF-8 : dans Excel, choisissez « Enregistrer sous » puis "
        "« CSV UTF-8 (délimité par des virgules) », ou envoyez le fichier .xlsx."
    ]


def test_a_broken_xlsx_is_refused(organisation) -> None:
    preview = preview_of(organisation, "export.xlsx", b"PK\x03\x04 not really a workbook")
    assert preview.file_errors[0].startswith("Ce fichier ne se lit pas")


def test_files_over_2_mb_or_2000_rows_are_refused(organisation) -> None:
    too_big = csv_file([person(0)]) + b" " * importing.MAX_BYTES
    assert preview_of(organisation, "export.csv", too_big).file_errors == [
        "Le fichier dépasse 2 Mo : découpez-le en plusieurs fichiers."
    ]
    rows = [person(n) for n in range(importing.MAX_ROWS + 1)]
    parsed = importing.parse_rows("export.csv", csv_file(rows))
    assert parsed.errors == ["Le fichier compte plus de 2\u202f000 lignes : découpez-le en plusieurs fichiers."]
    assert not parsed.rows
    assert len(importing.parse_rows("export.csv", csv_file(rows[:-1])).rows) == importing.MAX_ROWS


def test_a_header_without_rows_is_refused(organisation) -> None:
    assert preview_of(organisation, "export.csv", csv_file([])).file_errors == [
        "Le fichier ne contient aucun candidat sous la ligne des intitulés."
    ]


# The service: all or nothing


def test_the_service_creates_every_row(organisation, staff) -> None:
    created = importing.candidates_import(
        organisation=organisation, created_by=staff, content=csv_file([person(0), person(1)]), filename="a.csv"
    )
    assert [c.birth_name for c in created] == ["Martin0", "Martin1"]
    assert Candidate.objects.filter(organisation=organisation, created_by=staff).count() == 2


def test_one_bad_row_and_the_service_writes_nothing(organisation, staff) -> None:
    rows = [person(n) for n in range(5)] + [person(5, SIRET="123")]
    with pytest.raises(ValidationError) as refusal:
        importing.candidates_import(
            organisation=organisation, created_by=staff, content=csv_file(rows), filename="a.csv"
        )
    assert refusal.value.messages == [
        "Ligne 7 — SIRET : SIRET invalide : 14 chiffres dont la clé de contrôle est juste."
    ]
    assert not Candidate.objects.exists()


# A refusal at the write itself (bounds.check_instance) rolls back every row too: see test_import_limits.py.


# Pages


def upload(client, content: bytes, name: str = "candidats.csv"):
    return client.post("/candidats/import/", {"file": SimpleUploadedFile(name, content)})


def confirm(client, response):
    token = re.search(r'name="token" value="([0-9a-f]{32})"', response.content.decode())
    return client.post("/candidats/import/confirmer/", {"token": token.group(1) if token else "0" * 32})


def test_staff_preview_then_import_with_nothing_written_before_the_confirmation(client, staff) -> None:
    client.force_login(staff)
    assert client.get("/candidats/import/").status_code == 200
    preview = upload(client, csv_file([person(n) for n in range(12)], bom=True))
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "12 lignes prêtes" in page and "Aucune ligne en erreur" in page
    assert "Importer 12 candidats" in page
    assert not Candidate.objects.exists()

    response = confirm(client, preview)
    assert response.status_code == 302 and response.url == "/candidats/"
    listing = client.get(response.url).content.decode()
    assert "12 candidats importés." in listing
    assert Candidate.objects.filter(organisation=staff.organisation).count() == 12

    # The file is gone from the session: confirming again imports nothing more.
    again = confirm(client, preview)
    assert again.status_code == 302 and again.url == "/candidats/import/"
    assert Candidate.objects.count() == 12


def test_the_preview_lists_errors_and_offers_no_import_button(client, staff) -> None:
    client.force_login(staff)
    rows = [person(0), person(1), person(2, SIRET="12345678901234")]
    page = upload(client, csv_file(rows, header=[*HEADER, "Remarques"])).content.decode()
    assert "Ligne 4 — SIRET : SIRET invalide" in page
    assert "2 lignes prêtes" in page and "1 ligne en erreur" in page
    assert "Colonnes ignorées (intitulé non reconnu) : Remarques." in page
    assert "import/confirmer" not in page and "Importer 2" not in page


def test_a_forced_confirmation_of_a_file_with_errors_writes_nothing(client, staff) -> None:
    client.force_login(staff)
    content = csv_file([person(0), person(1, **{"Date de naissance": "32/01/1990"})])
    page = upload(client, content).content.decode()
    assert "Ligne 3 — Date de naissance : « 32/01/1990 » n&#x27;est pas une date JJ/MM/AAAA." in page
    # A file with errors is not kept: there is nothing to confirm, whatever token is posted.
    assert IMPORT_SESSION_KEY not in client.session
    response = client.post("/candidats/import/confirmer/", {"token": "0" * 32})
    assert response.status_code == 302 and response.url == "/candidats/import/"
    assert not Candidate.objects.exists()


def test_the_confirmation_validates_again_and_refuses_a_duplicate_created_meanwhile(client, staff) -> None:
    client.force_login(staff)
    preview = upload(client, csv_file([person(0), person(1), person(2)]))
    assert "Importer 3 candidats" in preview.content.decode()
    services.candidate_create(
        organisation=staff.organisation,
        created_by=staff,
        birth_name="Martin2",
        first_name="Julie",
        sex="F",
        birth_date=dt.date(1992, 3, 3),
        birth_commune="Besançon",
        birth_insee_code="25056",
        email="vite@example.org",
    )
    response = confirm(client, preview)
    page = response.content.decode()
    assert "Rien n&#x27;a été importé" in page
    assert "Ligne 4 : Cette candidate existe déjà" in page
    assert Candidate.objects.count() == 1


def test_a_confirmation_for_another_file_than_the_one_previewed_is_refused(client, staff) -> None:
    client.force_login(staff)
    upload(client, csv_file([person(0)]))
    response = client.post("/candidats/import/confirmer/", {"token": "f" * 32})
    assert response.status_code == 302 and response.url == "/candidats/import/"
    assert not Candidate.objects.exists()
    assert client.get("/candidats/import/confirmer/").status_code == 405


def test_the_upload_form_refuses_wrong_types_and_sizes_in_french(client, staff) -> None:
    client.force_login(staff)
    page = upload(client, b"%PDF-1.4", name="candidats.pdf").content.decode()
    assert "Envoyez un fichier .csv (UTF-8, séparateur « ; » ou « , ») ou .xlsx (Excel)" in page
    page = upload(client, b"x" * (importing.MAX_BYTES + 1)).content.decode()
    assert "Le fichier dépasse 2 Mo" in page
    assert IMPORT_SESSION_KEY not in client.session


def test_the_preview_of_50_rows_costs_the_same_queries_as_10_and_the_import_creates_them(client, staff) -> None:
    client.force_login(staff)

    def preview_queries(count: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = upload(client, csv_file([person(n) for n in range(count)]))
        assert f"Importer {count} candidats" in response.content.decode()
        return len(queries)

    # One look-up of the duplicates for all the rows (before: two queries a row); session, user and the rest are
    # constant.
    assert preview_queries(50) == preview_queries(10)
    preview = upload(client, csv_file([person(n) for n in range(50)]))
    response = confirm(client, preview)
    assert response.status_code == 302
    assert Candidate.objects.filter(organisation=staff.organisation).count() == 50


def test_the_list_offers_the_import_to_staff_only(client, staff, certifier_admin) -> None:
    client.force_login(staff)
    assert 'href="/candidats/import/"' in client.get("/candidats/").content.decode()
    client.force_login(certifier_admin)
    assert 'href="/candidats/import/"' not in client.get("/candidats/").content.decode()


# Access: staff of an organisation only


def test_strangers_are_sent_to_login(client) -> None:
    for url in ("/candidats/import/", "/candidats/import/confirmer/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/compte/connexion/"), url


def test_jury_members_and_candidates_are_refused(client, jury_member, candidate_user) -> None:
    for user in (jury_member, candidate_user):
        client.force_login(user)
        assert client.get("/candidats/import/").status_code == 403
        assert upload(client, csv_file([person(0)])).status_code == 403
        assert client.post("/candidats/import/confirmer/", {"token": "0" * 32}).status_code == 403
    assert not Candidate.objects.exists()


def test_certifier_admins_are_told_that_organisations_import_their_candidates(client, certifier_admin) -> None:
    client.force_login(certifier_admin)
    response = client.get("/candidats/import/")
    assert response.status_code == 403
    assert "Les candidats sont importés par leur organisme de formation." in response.content.decode()
    assert upload(client, csv_file([person(0)])).status_code == 403


def test_a_file_previewed_for_one_organisation_is_not_imported_into_another(client, staff) -> None:
    client.force_login(staff)
    preview = upload(client, csv_file([person(0)]))
    staff.organisation = OrganisationFactory(name="Autre organisme")
    staff.save()
    response = confirm(client, preview)
    assert response.status_code == 302 and response.url == "/candidats/import/"
    assert not Candidate.objects.exists()
