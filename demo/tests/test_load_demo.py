"""`manage.py load_demo`: one account per role with printed credentials, the juries' registry, a session to come, a
graded one half decided and a certified one (PV signed, CPNEFP validation, parchments issued); idempotent, refused
when DEBUG is off unless forced."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from demo.scenarios.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

EXPECTED_ROLES = {
    "admin@cqp.test": [Role.CERTIFIER_ADMIN],
    "formation@cqp.test": [Role.ORGANISATION_STAFF],
    "jury@cqp.test": [Role.JURY_MEMBER],
    "candidat@cqp.test": [Role.CANDIDATE],
    "titulaire@cqp.test": [Role.CANDIDATE],
    "vae@cqp.test": [Role.CANDIDATE],
    "formateur-jury@cqp.test": [Role.ORGANISATION_STAFF, Role.JURY_MEMBER],
    "salarie@cqp.test": [Role.JURY_MEMBER],
    "formateur@cqp.test": [Role.JURY_MEMBER],
    "president@cqp.test": [Role.JURY_MEMBER],
    "salarie2@cqp.test": [Role.JURY_MEMBER],
    "employeur@cqp.test": [Role.JURY_MEMBER],
    "ecole@cqp.test": [Role.ORGANISATION_STAFF],
    "formatrice-jury@cqp.test": [Role.ORGANISATION_STAFF, Role.JURY_MEMBER],
    "pro-lemaire@cqp.test": [Role.JURY_MEMBER],
    "pro-vasseur@cqp.test": [Role.JURY_MEMBER],
}


@pytest.fixture
def debug_on(settings: Any) -> None:
    settings.DEBUG = True


def load_demo(**options: Any) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.usefixtures("referential", "debug_on")
def test_it_creates_one_user_per_role_and_prints_their_credentials() -> None:
    output = load_demo()

    users = {user.email: user for user in User.objects.select_related("organisation")}
    assert {email: user.roles for email, user in users.items()} == EXPECTED_ROLES
    assert DEMO_PASSWORD == "demo-cqp-2026"
    assert f"mot de passe commun : {DEMO_PASSWORD}" in output
    for email in EXPECTED_ROLES:
        assert email in output
    assert users["formation@cqp.test"].organisation.name == "BJO Formation"
    assert users["formateur-jury@cqp.test"].organisation.name == "École d'horlogerie Charles Edouard Guillaume"
    assert {role for user in users.values() for role in user.roles} == set(Role)


@pytest.mark.usefixtures("referential", "debug_on")
def test_every_demo_user_logs_in_with_the_printed_password(client: Client) -> None:
    load_demo()

    for email in EXPECTED_ROLES:
        assert client.login(email=email, password=DEMO_PASSWORD) is True, email
        assert client.get("/").status_code == 200
        client.logout()


@pytest.mark.usefixtures("referential", "debug_on")
def test_the_demo_admin_opens_the_django_admin(client: Client) -> None:
    load_demo()

    client.post("/compte/connexion/", {"username": "admin@cqp.test", "password": DEMO_PASSWORD})

    assert client.get("/admin/").status_code == 200


@pytest.mark.usefixtures("referential", "debug_on")
def test_a_second_run_creates_no_user_and_restores_password_and_roles(client: Client) -> None:
    load_demo()
    count = User.objects.count()
    jury = User.objects.get(email="jury@cqp.test")
    jury.set_password("change-par-quelqu-un-2026")
    jury.is_jury_member = False
    jury.is_candidate = True
    jury.save()

    output = load_demo()

    assert User.objects.count() == count == len(EXPECTED_ROLES)
    jury.refresh_from_db()
    assert jury.roles == [Role.JURY_MEMBER]
    assert client.login(email="jury@cqp.test", password=DEMO_PASSWORD) is True
    assert "jury@cqp.test" in output


@pytest.mark.usefixtures("referential")
def test_it_refuses_when_debug_is_off(settings: Any) -> None:
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG est désactivé"):
        load_demo()

    assert not User.objects.exists()


@pytest.mark.usefixtures("referential")
def test_it_runs_when_debug_is_off_but_forced(settings: Any, client: Client) -> None:
    settings.DEBUG = False

    output = load_demo(force=True)

    assert User.objects.count() == len(EXPECTED_ROLES)
    assert DEMO_PASSWORD in output
    assert client.login(email="candidat@cqp.test", password=DEMO_PASSWORD) is True


@pytest.mark.usefixtures("debug_on")
def test_it_asks_for_the_referential_first_and_creates_nobody() -> None:
    with pytest.raises(CommandError, match="load_referential"):
        load_demo()

    assert not User.objects.exists()


def test_the_demo_has_a_session_with_convoked_candidates_seen_by_the_demo_candidate(
    referential, debug_on, client: Client, django_capture_on_commit_callbacks
) -> None:
    from evaluations.models import ConvocationStatus, SessionCandidate

    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    places = SessionCandidate.objects.filter(session__starts_on__gt=timezone.localdate())
    assert places.count() == 3
    assert {p.convocation_status for p in places} == {ConvocationStatus.SENT}
    assert max(p.ends_at - p.starts_at for p in places).seconds == 60 * 60  # 45 min + 15 min extra time

    client.login(email="candidat@cqp.test", password=DEMO_PASSWORD)
    assert b'data-testid="my-convocation"' in client.get("/").content


def graded_jury():
    from juries.models import Jury

    return Jury.objects.select_related("session", "president__user", "certification_jury__president__user").get(
        session__starts_on=timezone.localdate() - dt.timedelta(days=10)
    )


@pytest.mark.usefixtures("referential", "debug_on")
def test_the_demo_jury_members_are_approved_and_sit_on_the_three_sessions_evaluation_juries() -> None:
    from juries.models import JuryKind, MemberStatus

    output = load_demo()

    users = {user.email: user for user in User.objects.select_related("jury_member")}
    colleges = {email: user.jury_member.college for email, user in users.items() if hasattr(user, "jury_member")}
    assert colleges == {
        "jury@cqp.test": "employers",
        "salarie@cqp.test": "employees",
        "formateur@cqp.test": "trainer",
        "president@cqp.test": "certifier_president",
        "salarie2@cqp.test": "employees",
        "employeur@cqp.test": "employers",
        "formateur-jury@cqp.test": "trainer",
        "formatrice-jury@cqp.test": "trainer",
        "pro-lemaire@cqp.test": "professional",
        "pro-vasseur@cqp.test": "professional",
    }
    assert {users[email].jury_member.status for email in colleges} == {MemberStatus.APPROVED}
    for email in colleges:
        assert users[email].check_password(DEMO_PASSWORD), email
    marc = users["jury@cqp.test"].jury_member
    juries = list(
        marc.seats.filter(jury__version__rncp_code="RNCP26850")
        .select_related("jury__session", "jury__president")
        .order_by("jury__meets_on")
    )
    assert [seat.jury.kind for seat in juries] == [JuryKind.EVALUATION] * 3
    assert [seat.jury.president_id for seat in juries] == [marc.pk] * 3
    assert juries[1].jury.session.starts_on < timezone.localdate() < juries[2].jury.session.starts_on
    for seat in juries:
        assert {s.member.user.email for s in seat.jury.seats.select_related("member__user")} == {
            "jury@cqp.test",
            "salarie@cqp.test",
            "formateur@cqp.test",
        }
    # The École's trainer sits on the 31313 test jury only.
    assert [seat.jury.version.rncp_code for seat in users["formateur-jury@cqp.test"].jury_member.seats.all()] == [
        "RNCP31313"
    ]
    assert "président des jurys d'évaluation" in output


@pytest.mark.usefixtures("referential", "debug_on")
def test_the_graded_session_has_one_total_one_partial_and_one_none_with_the_partial_left_to_decide() -> None:
    from juries.models import JuryKind
    from juries.selectors import deliberation_rows, session_places

    output = load_demo()

    jury = graded_jury()
    assert jury.session.starts_on == timezone.localdate() - dt.timedelta(days=10)
    assert jury.president.user.email == "jury@cqp.test"
    rows = deliberation_rows(session_places(jury), jury.version)
    assert len(rows) == 3
    outcomes = sorted((row.outcome.kind, sorted(row.outcome.acquired_blocks)) for row in rows)
    assert outcomes == [("none", []), ("partial", ["BC1"]), ("total", ["BC1", "BC2"])]
    for row in rows:
        assert row.recommendation.kind == row.outcome.kind
        assert row.recommendation.comments
    assert sorted(row.place.enrolment.candidate.first_name for row in rows) == ["Inès", "Mathéo", "Éloïse"]
    decided = {row.outcome.kind: row.decision for row in rows}
    assert decided["partial"] is None
    assert decided["total"].kind == "total" and decided["none"].kind == "none"
    assert decided["total"].decided_by.email == "president@cqp.test"
    certification = jury.certification_jury
    assert certification.kind == JuryKind.CERTIFICATION
    assert certification.meets_on == timezone.localdate()
    assert certification.president.user.email == "president@cqp.test"
    assert {s.member.user.email for s in certification.seats.select_related("member__user")} == {
        "president@cqp.test",
        "salarie2@cqp.test",
        "employeur@cqp.test",
    }
    assert "Session jugée : RNCP 26850" in output
    assert "décision à prendre pour GAUTHIER-RIVIÈRE Mathéo" in output


def certified_jury():
    from juries.models import Jury

    return Jury.objects.select_related("version__certifier", "president__user").get(
        evaluation_juries__session__starts_on=timezone.localdate() - dt.timedelta(days=75)
    )


def test_the_certified_session_has_its_pv_signed_by_the_three_members_and_rendered(
    referential, debug_on, django_capture_on_commit_callbacks
) -> None:
    from certificates.models import PvStatus, RenderStatus
    from juries.selectors import deliberation_rows, transmitted_places

    with django_capture_on_commit_callbacks(execute=True):
        load_demo()

    jury = certified_jury()
    today = timezone.localdate()
    assert jury.meets_on == today - dt.timedelta(days=70)
    rows = deliberation_rows(transmitted_places(jury), jury.version)
    assert sorted((row.decision.kind, [b.code for b in row.decision.blocks.all()]) for row in rows) == [
        ("none", []),
        ("partial", ["BC1"]),
        ("total", []),
    ]
    assert {row.candidate.first_name for row in rows} == {"Małgorzata", "Søren", "Çağla"}
    pv = jury.pv
    assert pv.status == PvStatus.SIGNED
    signatures = list(pv.signatures.select_related("user"))
    assert {s.user.email for s in signatures} == {"president@cqp.test", "salarie2@cqp.test", "employeur@cqp.test"}
    assert {s.content_sha256 for s in signatures} == {pv.content_sha256}
    # Signed on the jury's day, as its decisions were; the CPNEFP met afterwards.
    assert {timezone.localdate(s.signed_at) for s in signatures} == {jury.meets_on}
    assert timezone.localdate(pv.signed_at) == jury.meets_on
    assert {timezone.localdate(d.decided_at) for d in jury.decisions.all()} == {jury.meets_on}
    assert pv.render_status == RenderStatus.DONE and pv.pdf_sha256
    with pv.pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_the_certified_session_has_its_results_validated_and_its_parchments_issued(
    referential, debug_on, client: Client, django_capture_on_commit_callbacks
) -> None:
    from certificates.models import NoticeStatus, ParchmentKind, ParchmentStatus, RenderStatus, ResultNotice

    with django_capture_on_commit_callbacks(execute=True):
        output = load_demo()

    jury = certified_jury()
    today = timezone.localdate()
    validation = jury.cpnefp_validation
    assert validation.meeting_on == today - dt.timedelta(days=40)
    assert validation.recorded_by.email == "admin@cqp.test"
    notices = ResultNotice.objects.filter(decision__jury=jury)
    assert [n.status for n in notices] == [NoticeStatus.SENT] * 3

    parchments = list(jury.decisions.get(kind="total").parchments.all()) + list(
        jury.decisions.get(kind="partial").parchments.all()
    )
    parchments.sort(key=lambda p: p.number)
    numbers = [p.number for p in parchments]
    assert numbers == list(range(numbers[0], numbers[0] + 2))
    assert {p.kind for p in parchments} == {ParchmentKind.FULL, ParchmentKind.BLOCKS}
    assert {p.status for p in parchments} == {ParchmentStatus.VALID}
    for parchment in parchments:
        assert parchment.render_status == RenderStatus.DONE
        assert parchment.versions.get().pdf_sha256 == parchment.pdf_sha256
        with parchment.pdf.open("rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
    sent = {p.kind: p.sent_at for p in parchments}
    assert sent == {ParchmentKind.FULL: today, ParchmentKind.BLOCKS: None}
    full = next(p for p in parchments if p.kind == ParchmentKind.FULL)
    assert full.mentions["holder"]["name"] == "Małgorzata Zofia WIŚNIEWSKA"
    assert full.mentions["certifier"]["signatory_name"] == "Signataire de démonstration"

    # The printed address opens the public verification page, without logging in.
    url = f"/verifier/{full.verification_code}/"
    assert f"{url} (code {full.verification_code[:5]}-{full.verification_code[5:]})" in output
    assert "Session certifiée : RNCP 26850" in output
    page = client.get(url)
    assert page.status_code == 200
    assert "Małgorzata Zofia WIŚNIEWSKA" in page.content.decode()

    # Her demo account shows her result and opens her parchment.
    assert client.login(email="titulaire@cqp.test", password=DEMO_PASSWORD) is True
    home = client.get("/").content.decode()
    assert 'data-testid="my-result"' in home and "Certification obtenue." in home
    link = f"/certificats/parchemins/{full.pk}/pdf/"
    assert link in home
    assert client.get(link).getvalue().startswith(b"%PDF-")


@pytest.mark.usefixtures("referential", "debug_on")
def test_the_demo_completes_the_missing_mentions_as_demo_values_to_verify() -> None:
    from cqp.models import CertificationVersion

    seed = CertificationVersion.objects.get(rncp_code="RNCP26850")
    seed_note = seed.to_verify

    load_demo()

    version = CertificationVersion.objects.select_related("certifier").get(pk=seed.pk)
    assert (version.level, version.eu_level, version.nsf_codes) == (3, 3, ["223"])
    assert version.decision_date is not None
    assert version.to_verify == (
        f"{seed_note}\nDémo : niveau, code NSF et date de décision saisis pour la démonstration, à vérifier sur la "
        "fiche RNCP."
    )
    assert version.certifier.signatory_name == "Signataire de démonstration"


@pytest.mark.usefixtures("referential", "debug_on")
def test_the_demo_keeps_the_mentions_the_certifier_entered() -> None:
    from cqp import services as referential_services
    from cqp.models import CertificationVersion

    seed = CertificationVersion.objects.select_related("certifier").get(rncp_code="RNCP26850")
    referential_services.version_update(
        version=seed, level=4, eu_level=4, nsf_codes=["224"], decision_date=dt.date(2020, 1, 2)
    )
    seed.certifier.signatory_name = "Jeanne Fabre"
    seed.certifier.save(update_fields=["signatory_name"])
    seed.refresh_from_db()

    load_demo()

    version = CertificationVersion.objects.select_related("certifier").get(pk=seed.pk)
    assert (version.level, version.eu_level, version.nsf_codes, version.decision_date) == (
        4,
        4,
        ["224"],
        dt.date(2020, 1, 2),
    )
    assert version.to_verify == seed.to_verify
    assert version.certifier.signatory_name == "Jeanne Fabre"


@pytest.mark.usefixtures("referential", "debug_on")
def test_a_second_run_leaves_the_juries_and_results_as_they_are(django_capture_on_commit_callbacks) -> None:
    from certificates.models import (
        CpnefpValidation,
        NumberSeries,
        Parchment,
        ParchmentBatch,
        ParchmentVersion,
        ProcesVerbal,
        PvSignature,
        ResultNotice,
    )
    from cqp.models import CertificationVersion, Certifier
    from evaluations.models import EvaluationSession
    from juries.models import AuditEntry, Decision, Grid, Jury, JuryMember, JurySeat, Recommendation

    def state() -> dict[str, object]:
        models = [
            EvaluationSession,
            Jury,
            JurySeat,
            JuryMember,
            Grid,
            Recommendation,
            Decision,
            AuditEntry,
            ProcesVerbal,
            PvSignature,
            CpnefpValidation,
            ResultNotice,
            ParchmentBatch,
            Parchment,
            ParchmentVersion,
        ]
        return {
            **{model.__name__: model._default_manager.count() for model in models},
            "next number": list(NumberSeries.objects.values_list("next_number", flat=True)),
            "parchments": list(Parchment.objects.values_list("number", "render_status", "pdf_sha256", "sent_at")),
            "pv": list(ProcesVerbal.objects.values_list("status", "content_sha256", "signed_at", "pdf_sha256")),
            "version": list(
                CertificationVersion.objects.values_list("level", "eu_level", "nsf_codes", "decision_date", "to_verify")
            ),
            "signatories": list(Certifier.objects.values_list("signatory_name", flat=True)),
        }

    with django_capture_on_commit_callbacks(execute=True):
        first = load_demo()
    before = state()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        output = load_demo()

    assert state() == before
    # Three sessions of 26850 and the 31313 one (its test jury and final jury, two decisions).
    assert before["EvaluationSession"] == 4 and before["Jury"] == 7 and before["Decision"] == 7
    assert before["Parchment"] == before["ParchmentVersion"] == 2 and before["PvSignature"] == 3
    assert not callbacks  # nothing to render or notify again
    assert "Session jugée de démonstration : déjà présente." in output
    assert "Session certifiée de démonstration : déjà présente." in output
    # The verification addresses are printed again, the same.
    addresses = [line for line in first.splitlines() if "/verifier/" in line]
    assert len(addresses) == 2
    assert addresses == [line for line in output.splitlines() if "/verifier/" in line]


@pytest.mark.usefixtures("referential", "debug_on")
def test_the_demo_vae_candidate_waits_for_the_decision_on_her_admissibility_file() -> None:
    from vae.models import AdmissibilityFile

    output = load_demo()
    load_demo()

    file = AdmissibilityFile.objects.select_related("candidate__user", "version").get()
    assert (file.status, file.version.rncp_code, file.candidate.user.email) == (
        "submitted",
        "RNCP31313",
        "vae@cqp.test",
    )
    assert file.documents.count() == 1
    assert file.candidate.enrolments.get().access_route == "vae"
    assert "dossier de recevabilité en attente de décision" in output


@pytest.mark.usefixtures("referential", "debug_on")
def test_the_demo_runs_31313_at_the_school_with_juries_that_satisfy_its_fiche() -> None:
    from cqp.models import CertificationVersion
    from juries import selectors
    from juries.models import Decision, Jury, JuryKind

    output = load_demo()

    second = CertificationVersion.objects.get(rncp_code="RNCP31313", number=2)
    assert second.status == "published" and second.previous.number == 1
    mandatory = {
        block.code: [c.code for c in block.competencies.all() if c.is_mandatory] for block in second.blocks.all()
    }
    assert mandatory == {"BC1": ["C1.2", "C1.7"], "BC2": ["C2.6", "C2.7"], "BC3": ["C3.4", "C3.10"], "BC4": ["C4.3"]}
    assert not any(block.competencies.filter(is_mandatory=True).exists() for block in second.previous.blocks.all())
    test_jury = Jury.objects.get(kind=JuryKind.EVALUATION, version=second)
    final = Jury.objects.get(kind=JuryKind.CERTIFICATION, version=second)
    assert test_jury.session.organisation.name == "École d'horlogerie Charles Edouard Guillaume"
    assert sorted(test_jury.seats.values_list("college", flat=True)) == [
        "employees",
        "employers",
        "professional",
        "professional",
        "trainer",
        "trainer",
    ]
    assert sorted(final.seats.values_list("college", flat=True)) == ["employees", "employees", "employers", "employers"]
    assert selectors.composition_problems(test_jury) == [] and selectors.composition_problems(final) == []
    rows = selectors.deliberation_rows(selectors.session_places(test_jury), second)
    assert [(row.outcome.kind, sorted(row.outcome.acquired_blocks)) for row in rows] == [
        ("total", ["BC1", "BC2", "BC3", "BC4"]),
        ("partial", ["BC1", "BC2", "BC4"]),
        ("total", ["BC1", "BC2", "BC3", "BC4"]),
    ]
    assert Decision.objects.filter(jury=final).count() == 2
    assert "jury d'épreuve de 6 membres" in output and "jury paritaire final de 4 membres" in output
