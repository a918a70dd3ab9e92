"""The deliberation grid exported as XLSX and PDF: the statuses of each block, the computed result (checked
against `cqp.rules` from the consensus grades read back from the database), the recommendation, the
recusals, and names that are long or far from ASCII."""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cqp.models import Competency
from cqp.rules import certification_outcome, validate_block
from evaluations.models import Attendance, SessionCandidate
from juries import exports, selectors, services
from juries.models import Grade, Jury
from juries.tests.conftest import World

pytestmark = pytest.mark.django_db

HEADER_ROW = 7  # title, then four lines about the certification, the session and the jury, then a blank one

# One candidate per outcome. BC1 has 5 competencies (C1.1-C1.3 mandatory, 3 needed), BC2 has 6
# (C2.1, C2.2 and C2.4 mandatory, 4 needed).
TOTAL = {"C1.5": "NA", "C2.6": "NA"}
PARTIAL = {"C2.1": "NA"}
NONE = {"C1.3": "NA", "C1.4": "NA", "C1.5": "NA", "C2.3": "NA", "C2.5": "NA", "C2.6": "NA"}

EXPECTED_CELLS = [
    ("Validé 4/5", "Validé 5/6"),
    ("Validé 5/5", "Non validé 5/6 — manque C2.1"),
    ("Non validé 2/5 — manque C1.3 ; seuil 3/5", "Non validé 3/6 — seuil 4/6"),
]
OUTCOME_LABELS = {"total": "Attribution totale", "partial": "Attribution partielle", "none": "Non-attribution"}


def graded_session(world: World) -> Jury:
    """The three candidates graded (total, partial, none) with the jury's recommendations; the trainer has
    declared knowing the third one."""
    jury = world.evaluation_jury()
    services.conflict_declare(
        jury=jury, place=world.places[2], member=world.trainer, note="Voisin.", declared_by=world.admin
    )
    president = jury.president.user
    recommendations = [
        (TOTAL, "total", [], "Très bonne maîtrise du polissage."),
        (PARTIAL, "partial", [world.blocks["BC1"]], '=HYPERLINK("http://example.org")'),
        (NONE, "none", [], "Émerisage à reprendre ; se représenter sur les deux blocs."),
    ]
    for place, (pattern, kind, blocks, comments) in zip(world.places, recommendations, strict=True):
        world.grade(jury, place, pattern)
        services.recommendation_record(place=place, kind=kind, blocks=blocks, comments=comments, recorded_by=president)
    return jury


def rows_of(jury: Jury) -> list[selectors.Row]:
    return selectors.deliberation_rows(selectors.session_places(jury), jury.version)


def expected_result(place: SessionCandidate) -> str:
    """The computed result worked out here from the consensus grades in the database, through the rules."""
    version = place.session.version
    by_block: dict[str, dict[str, str]] = defaultdict(dict)
    for block_code, competency, value in Grade.objects.filter(
        grid__place=place, grid__member__isnull=True, grid__status="submitted"
    ).values_list("grid__block__code", "competency__code", "value"):
        by_block[block_code][competency] = value
    validated = []
    for block in version.blocks.order_by("order"):
        competencies = Competency.objects.filter(block=block).order_by("order")
        decision = validate_block(
            by_block[block.code],
            [c.code for c in competencies],
            [c.code for c in competencies if c.is_mandatory],
            block.threshold_percent,
        )
        if decision.validated:
            validated.append(block.code)
    outcome = certification_outcome(validated, [b.code for b in version.blocks.all()])
    label = OUTCOME_LABELS[outcome.kind]
    return f"{label} : {', '.join(sorted(outcome.acquired_blocks))}" if outcome.kind == "partial" else label


def sheet_rows(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    """Words separated by single spaces, whatever line the table cells wrapped them on."""
    return " ".join(text.split())


def pdf_lines(content: bytes, names: list[str]) -> dict[str, str]:
    """The PDF's text cut at each candidate's name: what follows a name up to the next one (the last up to
    the list of recusals) is that candidate's row."""
    text = flat(pdf_text(content))
    starts = [text.index(name) for name in names]
    ends = [*starts[1:], text.index("Déports", starts[-1])]
    return {name: text[start:end] for name, start, end in zip(names, starts, ends, strict=True)}


def test_the_spreadsheet_gives_each_block_status_the_result_and_the_recommendation(world: World) -> None:
    jury = graded_session(world)

    table = sheet_rows(exports.deliberation_xlsx(jury, rows_of(jury)))

    assert table[0][0] == "Grille de délibération"
    assert table[1][0] == "RNCP 26850 — CQP Opérateur en polissage de bijouterie"
    assert "BJO Formation" in table[2][0]
    assert "58 rue du Louvre" in table[2][0]
    composition = table[4][0]
    for member in (world.employees, world.employers, world.trainer):
        assert member.name in composition
    assert f"{world.employers.name} — Représentant des employeurs, président(e) du jury" in composition
    assert table[HEADER_ROW - 1] == (
        "Candidat",
        "BC1 — Préparer le travail de polissage d'une pièce de bijouterie",
        "BC2 — Polir une pièce de bijouterie",
        "Résultat calculé",
        "Préconisation",
        "Commentaires",
        "Déports",
    )
    lines = table[HEADER_ROW:]
    assert [line[0] for line in lines] == [p.enrolment.candidate.display_name for p in world.places]
    assert [line[1:3] for line in lines] == EXPECTED_CELLS
    assert [line[4] for line in lines] == ["Attribution totale", "Attribution partielle : BC1", "Non-attribution"]
    assert lines[0][5] == "Très bonne maîtrise du polissage."
    assert lines[2][6] == f"{world.trainer.name} (a déclaré connaître le candidat)"
    assert lines[0][6] is None


def test_the_computed_result_is_what_the_rules_give_from_the_consensus_grades(world: World) -> None:
    jury = graded_session(world)
    rows = rows_of(jury)

    table = sheet_rows(exports.deliberation_xlsx(jury, rows))
    pdf = exports.deliberation_pdf(jury, rows)

    expected = {p.enrolment.candidate.display_name: expected_result(p) for p in world.places}
    assert sorted(expected.values()) == ["Attribution partielle : BC1", "Attribution totale", "Non-attribution"]
    assert {line[0]: line[3] for line in table[HEADER_ROW:]} == expected
    for name, line in pdf_lines(pdf, list(expected)).items():
        # The recommendation repeats the same words: the computed result comes first, right after the blocks.
        assert expected[name] in line
        assert min((w for w in OUTCOME_LABELS.values() if w in line), key=line.index) == expected[name].split(" : ")[0]


def test_the_spreadsheet_is_laid_out_to_be_read(world: World) -> None:
    jury = graded_session(world)

    sheet = load_workbook(io.BytesIO(exports.deliberation_xlsx(jury, rows_of(jury)))).active

    assert sheet.title == "Délibération"
    assert sheet.freeze_panes == f"B{HEADER_ROW + 1}"
    assert all(cell.font.bold for cell in sheet[HEADER_ROW])
    assert sheet.column_dimensions["A"].width >= 30
    assert sheet.column_dimensions["F"].width >= 40


def test_a_comment_that_looks_like_a_formula_stays_text(world: World) -> None:
    jury = graded_session(world)

    sheet = load_workbook(io.BytesIO(exports.deliberation_xlsx(jury, rows_of(jury)))).active

    cell = sheet.cell(row=HEADER_ROW + 2, column=6)
    assert cell.value == '=HYPERLINK("http://example.org")'
    assert cell.data_type == "s"


def test_the_pdf_gives_each_candidate_their_statuses_the_jury_and_the_recusals(world: World) -> None:
    jury = graded_session(world)

    content = exports.deliberation_pdf(jury, rows_of(jury))

    reader = PdfReader(io.BytesIO(content))
    box = reader.pages[0].mediabox
    assert box.width > box.height  # landscape
    text = flat(pdf_text(content))
    assert "Grille de délibération" in text
    assert "RNCP 26850 — CQP Opérateur en polissage de bijouterie" in text
    assert "BJO Formation" in text
    assert f"président(e) : {world.employers.name}" in text
    for member in (world.employees, world.employers, world.trainer):
        assert member.name in text
    names = [p.enrolment.candidate.display_name for p in world.places]
    lines = pdf_lines(content, names)
    for name, (first, second), recommended in zip(
        names, EXPECTED_CELLS, ["Attribution totale", "Attribution partielle : BC1", "Non-attribution"], strict=True
    ):
        assert lines[name].index(first) < lines[name].index(second)
        assert lines[name].count(recommended) == 2  # computed, then recommended
    assert "se représenter sur les deux blocs" in lines[names[2]]
    assert f"Déport : {world.trainer.name} (a déclaré connaître le candidat)" in lines[names[2]]
    assert "Déport" not in lines[names[0]] + lines[names[1]]
    assert f"{names[2]} : {world.trainer.name} (a déclaré connaître le candidat)" in text
    assert f"page 1 / {len(reader.pages)}" in text
    assert "Imprimé le" in text


def test_grids_not_yet_validated_show_as_such(world: World) -> None:
    jury = world.evaluation_jury()
    world.grade(jury, world.places[0], PARTIAL, submit=False)

    rows = rows_of(jury)
    table = sheet_rows(exports.deliberation_xlsx(jury, rows))
    text = flat(pdf_text(exports.deliberation_pdf(jury, rows)))

    first, second = table[HEADER_ROW : HEADER_ROW + 2]
    assert first[1:4] == (
        "Validé 5/5 (grille à valider)",
        "Non validé 5/6 — manque C2.1 (grille à valider)",
        "Grilles à valider",
    )
    assert second[1:4] == ("Grille à saisir", "Grille à saisir", "Grilles à valider")
    assert "Grilles à valider" in text


def test_a_very_long_name_with_accents_is_printed_whole(world: World) -> None:
    place = world.places[1]
    first_name = "Zoé Mičeta Śmigły Søren Weiß"
    birth_name = "de La Tour d'Auvergne-Lauraguais-Montmorency-Laval-Rohan-Chabot-Noailles-Polignac-Crussol"
    candidate = place.enrolment.candidate
    candidate.birth_name, candidate.first_name = birth_name, first_name
    candidate.save(update_fields=["birth_name", "first_name"])
    jury = world.evaluation_jury()
    world.grade(jury, place, PARTIAL)

    rows = rows_of(jury)
    table = sheet_rows(exports.deliberation_xlsx(jury, rows))
    text = pdf_text(exports.deliberation_pdf(jury, rows))

    assert table[HEADER_ROW + 1][0] == f"{birth_name.upper()} {first_name}"
    for word in first_name.split():
        assert word in text
    for letter in "éčŚøß":
        assert letter in text
    # Broken across lines if need be, but nothing cut off.
    assert birth_name.upper().replace(" ", "") in "".join(text.split())


def test_a_session_with_nobody_present_still_exports(world: World) -> None:
    jury = world.evaluation_jury()
    SessionCandidate.objects.filter(session=world.session).update(attendance=Attendance.ABSENT)

    rows = rows_of(jury)
    table = sheet_rows(exports.deliberation_xlsx(jury, rows))
    text = flat(pdf_text(exports.deliberation_pdf(jury, rows)))

    assert rows == []
    assert len(table) == HEADER_ROW
    assert "Aucun candidat présent." in text
