"""Pages of the certifier's paper: who may open them (allowed role, another role, a stranger), what they show,
and the actions posted from them (sign, validate, issue, download, cancel, duplicate, record the sending)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from candidates.models import Candidate
from certificates import services
from certificates.models import (
    CpnefpValidation,
    Parchment,
    ParchmentBatch,
    ParchmentStatus,
    ParchmentVersion,
    ProcesVerbal,
    PvSignature,
    PvStatus,
    RenderStatus,
)
from certificates.tests.conftest import Commit, Decided
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def other_jury_member() -> User:
    return UserFactory(email="autre-jury@example.org", is_jury_member=True)


def candidate_user() -> User:
    return UserFactory(email="cand@example.org", is_candidate=True)


def holder(decided: Decided, index: int) -> User:
    """The candidate of the `index`-th decision, given an account for their space."""
    user = UserFactory(email=f"titulaire{index}@example.org", is_candidate=True)
    Candidate.objects.filter(pk=decided.decisions[index].place.enrolment.candidate_id).update(user=user)
    return user


def full_parchment(decided: Decided) -> Parchment:
    return Parchment.objects.get(decision=decided.decisions[0], status=ParchmentStatus.VALID)


# --- PV ------------------------------------------------------------------------------------------------


def test_the_pv_opens_for_the_jury_members_and_admins_only(client, decided: Decided) -> None:
    url = reverse("certificates:pv", args=[decided.certification.pk])
    for user in (decided.world.admin, decided.world.cert_president.user, decided.world.cert_employees.user):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200, user
        assert "Procès-verbal du jury de certification" in page.text
        assert decided.decisions[0].place.enrolment.candidate.display_name in page.text
    for user in (other_jury_member(), decided.world.employees.user):  # not on this certification jury
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    for user in (candidate_user(), decided.world.staff):
        client.force_login(user)
        assert client.get(url).status_code == 403, user
    client.logout()
    answer = client.get(url)
    assert answer.status_code == 302
    assert reverse("login") in answer["Location"]


def test_a_member_signs_through_the_page_and_the_last_one_locks_it(client, decided: Decided, commit: Commit) -> None:
    jury = decided.certification
    url = reverse("certificates:pv", args=[jury.pk])
    users = [seat.member.user for seat in jury.seats.select_related("member__user")]

    client.force_login(users[0])
    page = client.get(url)
    assert 'data-testid="sign"' in page.text
    answer = client.post(reverse("certificates:pv_sign", args=[jury.pk]), {"sha256": read_digest(page)}, follow=True)
    assert "Votre signature est enregistrée." in answer.text
    assert 'data-testid="pv-status"' in answer.text
    assert "En attente de signatures" in answer.text

    for user in users[1:]:
        client.force_login(user)
        digest = read_digest(client.get(url))
        with commit():
            answer = client.post(reverse("certificates:pv_sign", args=[jury.pk]), {"sha256": digest}, follow=True)

    assert "Procès-verbal signé par tous les membres : il est verrouillé." in answer.text
    assert "Signé par tous" in answer.text
    assert 'data-testid="sign"' not in answer.text
    pv = ProcesVerbal.objects.get(jury=jury)
    assert pv.status == PvStatus.SIGNED
    assert pv.content_sha256 in answer.text
    pdf = client.get(reverse("certificates:pv_pdf", args=[jury.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def read_digest(page) -> str:
    """The fingerprint the sign form sends: that of the content the member has in front of them."""
    found = re.search(r'name="sha256" value="([0-9a-f]{64})"', page.text)
    assert found, "the sign form carries the fingerprint of the content shown"
    return found.group(1)


def refuse_the_partial_award(decided: Decided) -> None:
    """The president changes the partial award into a non-attribution, with its reason: the PV's content moves."""
    from juries import services as jury_services

    jury = decided.certification
    jury_services.decision_record(
        jury=jury,
        place=decided.decisions[1].place,
        kind="none",
        blocks=[],
        reason="Bloc 1 insuffisamment démontré.",
        decided_by=jury.president.user,
    )


def test_a_member_who_read_an_earlier_content_is_refused_and_signs_nothing(client, decided: Decided) -> None:
    jury = decided.certification
    signer = decided.world.cert_employees.user
    client.force_login(signer)
    seen = read_digest(client.get(reverse("certificates:pv", args=[jury.pk])))
    refuse_the_partial_award(decided)  # meanwhile, by the president

    answer = client.post(reverse("certificates:pv_sign", args=[jury.pk]), {"sha256": seen}, follow=True)

    assert "Le procès-verbal a changé depuis que vous" in answer.text
    assert "Bloc 1 insuffisamment démontré." in answer.text  # the page now shows what changed
    assert not PvSignature.objects.filter(user=signer).exists()
    assert read_digest(answer) != seen


def test_the_page_asks_a_member_to_sign_again_after_a_decision_changed(client, decided: Decided) -> None:
    jury = decided.certification
    signer = decided.world.cert_employees.user
    services.pv_sign(jury=jury, user=signer)
    refuse_the_partial_award(decided)

    client.force_login(signer)
    page = client.get(reverse("certificates:pv", args=[jury.pk]))

    assert "signature à renouveler : le contenu a changé depuis" in page.text
    assert 'data-testid="sign"' in page.text
    assert "Bloc 1 insuffisamment démontré." in page.text


def test_the_pv_page_shows_who_is_still_undecided(client, decided: Decided) -> None:
    from juries.models import Decision

    name = decided.decisions[2].place.enrolment.candidate.display_name
    Decision.objects.filter(pk=decided.decisions[2].pk).delete()
    client.force_login(decided.world.cert_president.user)
    page = client.get(reverse("certificates:pv", args=[decided.certification.pk]))
    assert "Le jury doit encore statuer sur :" in page.text
    assert name in page.text
    assert 'data-testid="sign"' not in page.text


def test_an_admin_cannot_sign_through_the_page(client, decided: Decided) -> None:
    client.force_login(decided.world.admin)
    answer = client.post(reverse("certificates:pv_sign", args=[decided.certification.pk]))
    assert answer.status_code == 403  # a refused actor, not a form error
    assert not ProcesVerbal.objects.exists()


def test_the_pv_page_takes_a_bounded_number_of_queries(
    client, decided: Decided, django_assert_max_num_queries, commit: Commit
) -> None:
    url = reverse("certificates:pv", args=[decided.certification.pk])
    client.force_login(decided.world.admin)
    # While signing, the content is computed afresh; + the results' states and flags (1, issue 12).
    with django_assert_max_num_queries(27):  # + the version's jury rules (issue 13)
        assert client.get(url).status_code == 200
    with commit():
        decided.sign_all()
    with django_assert_max_num_queries(8):  # signed, it is read from the PV; + the results' states (issue 12)
        assert client.get(url).status_code == 200


def test_the_admin_records_the_cpnefp_validation_through_the_form(client, signed: Decided, commit: Commit) -> None:
    from django.core import mail

    jury = signed.certification
    client.force_login(signed.world.admin)
    page = client.get(reverse("certificates:pv", args=[jury.pk]))
    assert 'name="meeting_on"' in page.text

    with commit():
        answer = client.post(
            reverse("certificates:validation", args=[jury.pk]),
            {"meeting_on": timezone.localdate().isoformat()},
            follow=True,
        )

    assert "Validation de la CPNEFP enregistrée" in answer.text
    assert 'data-testid="validation"' in answer.text
    assert CpnefpValidation.objects.get(jury=jury).meeting_on == timezone.localdate()
    assert len(mail.outbox) == 3


def test_a_validation_date_to_come_is_refused_through_the_form(client, signed: Decided) -> None:
    client.force_login(signed.world.admin)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    answer = client.post(
        reverse("certificates:validation", args=[signed.certification.pk]),
        {"meeting_on": tomorrow.isoformat()},
        follow=True,
    )
    assert "la date est à venir" in answer.text
    assert not CpnefpValidation.objects.exists()


def test_the_validation_form_is_the_admins_only(client, signed: Decided) -> None:
    url = reverse("certificates:validation", args=[signed.certification.pk])
    data = {"meeting_on": timezone.localdate().isoformat()}
    client.force_login(signed.world.cert_president.user)
    assert client.post(url, data).status_code == 403
    client.logout()
    assert client.post(url, data).status_code == 302
    assert not CpnefpValidation.objects.exists()


# --- Parchments ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["jury_parchments", "zip"])
def test_the_jury_parchments_pages_are_the_admins_only(client, issued: Decided, name: str) -> None:
    url = reverse(f"certificates:{name}", args=[issued.certification.pk])
    client.force_login(issued.world.admin)
    assert client.get(url).status_code == 200
    for user in (issued.world.cert_president.user, issued.world.staff, candidate_user()):
        client.force_login(user)
        assert client.get(url).status_code == 403, user
    client.logout()
    assert client.get(url).status_code == 302


def test_the_admin_issues_the_parchments_and_follows_the_batch(client, validated: Decided, commit: Commit) -> None:
    jury = validated.certification
    client.force_login(validated.world.admin)
    page = client.get(reverse("certificates:jury_parchments", args=[jury.pk]))
    assert 'data-testid="issue"' in page.text

    with commit():
        answer = client.post(reverse("certificates:issue", args=[jury.pk]))

    batch = ParchmentBatch.objects.get(jury=jury)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("certificates:jury_parchments", args=[jury.pk]) + f"?lot={batch.pk}"
    page = client.get(answer["Location"])
    assert 'data-testid="batch"' in page.text
    assert "Lot terminé." in page.text
    assert page.text.count('data-testid="parchment-row"') == 2
    assert "000001" in page.text and "000002" in page.text
    progress = client.get(reverse("certificates:batch_progress", args=[batch.pk]))
    assert progress.json() == {"total": 2, "done": 2, "failed": 0}


def test_the_progress_of_a_batch_is_the_admins_only(client, issued: Decided) -> None:
    url = reverse("certificates:batch_progress", args=[ParchmentBatch.objects.get().pk])
    client.force_login(issued.world.cert_president.user)
    assert client.get(url).status_code == 403
    client.force_login(issued.world.admin)
    assert client.get(reverse("certificates:batch_progress", args=[10_000])).status_code == 404


def test_issuing_twice_through_the_page_says_everyone_has_theirs(client, issued: Decided) -> None:
    client.force_login(issued.world.admin)
    answer = client.post(reverse("certificates:issue", args=[issued.certification.pk]), follow=True)
    assert "ont déjà leur parchemin" in answer.text
    assert Parchment.objects.count() == 2


def test_a_member_cannot_issue_parchments(client, validated: Decided) -> None:
    client.force_login(validated.world.cert_president.user)
    assert client.post(reverse("certificates:issue", args=[validated.certification.pk])).status_code == 403
    assert not Parchment.objects.exists()


def test_the_jury_parchments_page_takes_a_bounded_number_of_queries(
    client, issued: Decided, django_assert_max_num_queries
) -> None:
    client.force_login(issued.world.admin)
    batch = ParchmentBatch.objects.get()
    url = reverse("certificates:jury_parchments", args=[issued.certification.pk]) + f"?lot={batch.pk}"
    # + the holders still without a parchment, + the renders to resume, + the page's count and the jury's counts,
    # + the page's results with their states and flags (issue 12)
    with django_assert_max_num_queries(13):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("lot", ["abc", "-1", "99999999999999999999999999"])
def test_a_batch_number_typed_wrong_in_the_address_is_ignored(client, issued: Decided, lot: str) -> None:
    client.force_login(issued.world.admin)
    url = reverse("certificates:jury_parchments", args=[issued.certification.pk]) + f"?lot={lot}"
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.context["batch"] is None


def test_the_admin_downloads_a_parchment(client, issued: Decided) -> None:
    parchment = full_parchment(issued)
    client.force_login(issued.world.admin)
    answer = client.get(reverse("certificates:parchment_pdf", args=[parchment.pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert "parchemin-000001.pdf" in answer["Content-Disposition"]
    assert b"".join(answer.streaming_content).startswith(b"%PDF")


def test_the_holder_downloads_their_parchment_from_their_space(client, issued: Decided) -> None:
    parchment = full_parchment(issued)
    user = holder(issued, 0)
    client.force_login(user)

    home = client.get("/")
    assert 'data-testid="my-result"' in home.text
    assert "Certification obtenue." in home.text
    link = reverse("certificates:parchment_pdf", args=[parchment.pk])
    assert link in home.text
    answer = client.get(link)
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content).startswith(b"%PDF")


def test_nobody_else_downloads_a_parchment(client, issued: Decided) -> None:
    parchment = full_parchment(issued)
    url = reverse("certificates:parchment_pdf", args=[parchment.pk])
    holder(issued, 0)
    other_holder = holder(issued, 1)
    for user in (other_holder, candidate_user(), issued.world.cert_president.user, issued.world.staff):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.logout()
    assert client.get(url).status_code == 302


def test_the_zip_holds_every_rendered_parchment(client, issued: Decided) -> None:
    client.force_login(issued.world.admin)
    answer = client.get(reverse("certificates:zip", args=[issued.certification.pk]))

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"
    assert ".zip" in answer["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == ["parchemin-000001.pdf", "parchemin-000002.pdf"]
    for parchment in Parchment.objects.all():
        data = archive.read(f"parchemin-{parchment.display_number}.pdf")
        assert data.startswith(b"%PDF")
        with parchment.pdf.open("rb") as handle:
            assert data == handle.read()


def test_the_zip_is_404_before_any_parchment_is_rendered(client, validated: Decided) -> None:
    client.force_login(validated.world.admin)
    assert client.get(reverse("certificates:zip", args=[validated.certification.pk])).status_code == 404


def test_the_admin_cancels_a_parchment_through_the_page(client, issued: Decided) -> None:
    parchment = full_parchment(issued)
    client.force_login(issued.world.admin)
    url = reverse("certificates:cancel", args=[parchment.pk])

    refused = client.post(url, {"reason": ""}, follow=True)
    assert "Indiquez le motif de l&#x27;annulation." in refused.text
    answer = client.post(url, {"reason": "Erreur sur le prénom"}, follow=True)

    assert "annulé : il garde son numéro" in answer.text
    parchment.refresh_from_db()
    assert parchment.status == ParchmentStatus.CANCELLED
    assert parchment.number == 1
    assert "Erreur sur le prénom" in answer.text
    archive = zipfile.ZipFile(
        io.BytesIO(b"".join(client.get(reverse("certificates:zip", args=[issued.certification.pk])).streaming_content))
    )
    assert "parchemin-000001-ANNULE.pdf" in archive.namelist()


def test_the_admin_orders_a_duplicate_through_the_page(client, issued: Decided, commit: Commit) -> None:
    parchment = full_parchment(issued)
    client.force_login(issued.world.admin)

    with commit():
        answer = client.post(reverse("certificates:reissue", args=[parchment.pk]), {"reason": "Perdu"}, follow=True)

    assert "Duplicata du parchemin n° 000001" in answer.text
    parchment.refresh_from_db()
    assert (parchment.number, parchment.version, parchment.render_status) == (1, 2, RenderStatus.DONE)
    assert ParchmentVersion.objects.filter(parchment=parchment).count() == 2
    assert "v2" in answer.text


def test_the_admin_records_the_sending_through_the_page(client, issued: Decided) -> None:
    parchment = full_parchment(issued)
    client.force_login(issued.world.admin)
    today = timezone.localdate()

    answer = client.post(reverse("certificates:sent", args=[parchment.pk]), {"sent_on": today.isoformat()}, follow=True)

    assert "Envoi du parchemin n° 000001 enregistré." in answer.text
    parchment.refresh_from_db()
    assert parchment.sent_at == today


@pytest.mark.parametrize("name", ["cancel", "reissue", "sent"])
def test_parchment_actions_are_the_admins_only(client, issued: Decided, name: str) -> None:
    parchment = full_parchment(issued)
    url = reverse(f"certificates:{name}", args=[parchment.pk])
    data = {"reason": "Essai", "sent_on": timezone.localdate().isoformat()}
    client.force_login(holder(issued, 0))
    assert client.post(url, data).status_code == 403
    client.force_login(issued.world.cert_president.user)
    assert client.post(url, data).status_code == 403
    client.logout()
    assert client.post(url, data).status_code == 302
    parchment.refresh_from_db()
    assert (parchment.status, parchment.version, parchment.sent_at) == (ParchmentStatus.VALID, 1, None)


# --- Deadlines and the candidate's space ---------------------------------------------------------------


def test_the_deadlines_page_is_the_admins_only(client, issued: Decided, django_assert_max_num_queries) -> None:
    url = reverse("certificates:deadlines")
    client.force_login(issued.world.admin)
    # The open juries, the history's count and page, the flags to review, the open appeals, the VAE files.
    with django_assert_max_num_queries(8):
        page = client.get(url)
    assert page.status_code == 200
    assert page.text.count('data-testid="deadline-row"') == 1
    assert "2 à envoyer" in page.text
    assert "tous notifiés" in page.text
    for user in (issued.world.cert_president.user, issued.world.staff, candidate_user()):
        client.force_login(user)
        assert client.get(url).status_code == 403, user
    client.logout()
    assert client.get(url).status_code == 302


def test_the_candidate_sees_their_result_once_notified(client, signed: Decided, commit: Commit) -> None:
    user = holder(signed, 1)
    client.force_login(user)
    assert 'data-testid="my-result"' not in client.get("/").text

    with commit():
        services.cpnefp_validation_record(
            jury=signed.certification, meeting_on=timezone.localdate(), recorded_by=signed.world.admin
        )

    home = client.get("/")
    assert home.text.count('data-testid="my-result"') == 1
    assert "Blocs de compétences acquis : BC1." in home.text
    assert "Mon parchemin" not in home.text  # not issued yet


def test_a_failed_candidate_sees_the_way_to_a_retake(client, validated: Decided) -> None:
    client.force_login(holder(validated, 2))
    home = client.get("/")
    assert 'data-testid="my-result"' in home.text
    assert "session de rattrapage" in home.text


def test_a_batch_number_that_is_not_one_is_ignored(client, issued: Decided) -> None:
    client.force_login(issued.world.admin)
    url = reverse("certificates:jury_parchments", args=[issued.certification.pk])
    for lot in ("abc", "1; DROP", "²", "99999999999999999999999"):
        page = client.get(url, {"lot": lot})
        assert page.status_code == 200, lot
        assert 'data-testid="batch"' not in page.text


def test_the_candidate_sees_their_result_even_when_the_mail_could_not_be_sent(client, signed: Decided) -> None:
    from certificates.models import ResultNotice

    services.cpnefp_validation_record(
        jury=signed.certification, meeting_on=timezone.localdate(), recorded_by=signed.world.admin
    )  # the notices are queued; here the mail server refused them
    ResultNotice.objects.update(status="failed", error="SMTPRecipientsRefused")

    client.force_login(holder(signed, 1))
    home = client.get("/")
    assert home.text.count('data-testid="my-result"') == 1
    assert "Blocs de compétences acquis : BC1." in home.text


def test_the_admin_resumes_a_failed_render_from_the_parchments_page(client, issued: Decided, commit: Commit) -> None:
    Parchment.objects.filter(decision__jury=issued.certification, number=1).update(
        render_status=RenderStatus.FAILED, render_error="OSError : disque plein"
    )
    url = reverse("certificates:jury_parchments", args=[issued.certification.pk])
    client.force_login(issued.world.admin)
    page = client.get(url)
    assert "Échec du rendu" in page.text and "OSError : disque plein" in page.text
    assert 'data-testid="resume"' in page.text and "Relancer 1 rendu" in page.text

    with commit():  # the renders are queued as the answer's transaction commits, and run inline
        answer = client.post(reverse("certificates:resume", args=[issued.certification.pk]))

    assert answer.status_code == 302
    page = client.get(answer["Location"])
    assert "1 rendu relancé." in page.text
    assert 'data-testid="resume"' not in page.text
    assert not Parchment.objects.exclude(render_status=RenderStatus.DONE).exists()
    client.force_login(issued.world.staff)
    assert client.post(reverse("certificates:resume", args=[issued.certification.pk])).status_code == 403


def test_while_a_duplicate_renders_the_holder_and_the_zip_get_the_version_in_force(client, issued: Decided) -> None:
    parchment = full_parchment(issued)
    in_force = parchment.pdf_sha256
    # Asked for, not rendered yet (no worker has taken it): the row waits, version 2 pending.
    services.parchment_reissue(parchment=parchment, reason="Parchemin perdu", requested_by=issued.world.admin)
    parchment.refresh_from_db()
    assert (parchment.version, parchment.render_status) == (2, RenderStatus.PENDING)

    client.force_login(holder(issued, 0))
    home = client.get("/")
    link = reverse("certificates:parchment_pdf", args=[parchment.pk])
    assert link in home.text
    pdf = b"".join(client.get(link).streaming_content)
    assert hashlib.sha256(pdf).hexdigest() == in_force

    client.force_login(issued.world.admin)
    answer = client.get(reverse("certificates:zip", args=[issued.certification.pk]))
    with zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content))) as archive:
        assert hashlib.sha256(archive.read(f"parchemin-{parchment.display_number}.pdf")).hexdigest() == in_force
