"""`manage.py load_demo`: one account per role with printed credentials, the juries' registry, a session to come and
a graded one half decided; idempotent, refused when DEBUG is off unless forced."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from accounts.management.commands.load_demo import DEMO_PASSWORD
from accounts.models import Role, User

pytestmark = pytest.mark.django_db

EXPECTED_ROLES = {
    "admin@cqp.test": [Role.CERTIFIER_ADMIN],
    "formation@cqp.test": [Role.ORGANISATION_STAFF],
    "jury@cqp.test": [Role.JURY_MEMBER],
    "candidat@cqp.test": [Role.CANDIDATE],
    "formateur-jury@cqp.test": [Role.ORGANISATION_STAFF, Role.JURY_MEMBER],
    "salarie@cqp.test": [Role.JURY_MEMBER],
    "formateur@cqp.test": [Role.JURY_MEMBER],
    "president@cqp.test": [Role.JURY_MEMBER],
    "salarie2@cqp.test": [Role.JURY_MEMBER],
    "employeur@cqp.test": [Role.JURY_MEMBER],
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
) -> None:  # type: ignore[no-untyped-def]
    from evaluations.models import ConvocationStatus, SessionCandidate

    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    places = SessionCandidate.objects.filter(session__starts_on__gt=timezone.localdate())
    assert places.count() == 3
    assert {p.convocation_status for p in places} == {ConvocationStatus.SENT}
    assert max(p.ends_at - p.starts_at for p in places).seconds == 60 * 60  # 45 min + 15 min extra time

    client.login(email="candidat@cqp.test", password=DEMO_PASSWORD)
    assert b'data-testid="my-convocation"' in client.get("/").content


def graded_jury():  # type: ignore[no-untyped-def]
    from juries.models import Jury

    return Jury.objects.select_related("session", "president__user", "certification_jury__president__user").get(
        session__starts_on__lt=timezone.localdate()
    )


@pytest.mark.usefixtures("referential", "debug_on")
def test_the_demo_jury_members_are_approved_and_sit_on_both_sessions_evaluation_juries() -> None:
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
    }
    assert {users[email].jury_member.status for email in colleges} == {MemberStatus.APPROVED}
    for email in colleges:
        assert users[email].check_password(DEMO_PASSWORD), email
    marc = users["jury@cqp.test"].jury_member
    juries = list(marc.seats.select_related("jury__session", "jury__president").order_by("jury__meets_on"))
    assert [seat.jury.kind for seat in juries] == [JuryKind.EVALUATION, JuryKind.EVALUATION]
    assert [seat.jury.president_id for seat in juries] == [marc.pk, marc.pk]
    assert juries[0].jury.session.starts_on < timezone.localdate() < juries[1].jury.session.starts_on
    for seat in juries:
        assert {s.member.user.email for s in seat.jury.seats.select_related("member__user")} == {
            "jury@cqp.test",
            "salarie@cqp.test",
            "formateur@cqp.test",
        }
    assert not users["formateur-jury@cqp.test"].jury_member.seats.exists()
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


@pytest.mark.usefixtures("referential", "debug_on")
def test_a_second_run_leaves_the_juries_and_results_as_they_are() -> None:
    from evaluations.models import EvaluationSession
    from juries.models import AuditEntry, Decision, Grid, Jury, JuryMember, JurySeat, Recommendation

    def counts() -> dict[str, int]:
        models = [EvaluationSession, Jury, JurySeat, JuryMember, Grid, Recommendation, Decision, AuditEntry]
        return {model.__name__: model.objects.count() for model in models}

    load_demo()
    before = counts()

    output = load_demo()

    assert counts() == before
    assert before["EvaluationSession"] == 2 and before["Jury"] == 3 and before["Decision"] == 2
    assert "Session jugée de démonstration : déjà présente." in output
