"""Referential pages: who may open what (three actors), what they show, and their query counts."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from cqp.models import Block, CertificationVersion, Certifier, Competency, VersionStatus
from tests.factories import BlockFactory, CompetencyFactory, VersionFactory

pytestmark = pytest.mark.django_db

# Session and user, then the page's own reads: the same whatever the number of rows.
LIST_QUERIES = 4
# Detail: version, blocks, competencies, then the in-use check: one query per kind of record that can
# refer to a version (enrolments, sessions, ...), however many rows there are.
REFERRERS = [
    r for r in CertificationVersion._meta.related_objects if r.get_accessor_name() not in {"blocks", "next_version"}
]
DETAIL_QUERIES = 2 + 3 + len(REFERRERS)


@pytest.fixture
def polishing(referential) -> CertificationVersion:  # type: ignore[no-untyped-def]
    return CertificationVersion.objects.get(rncp_code="RNCP26850")


@pytest.fixture
def watchmaker(referential) -> CertificationVersion:  # type: ignore[no-untyped-def]
    return CertificationVersion.objects.get(rncp_code="RNCP31313")


@pytest.fixture
def others(staff, jury_member, candidate_user):  # type: ignore[no-untyped-def]
    return [staff, jury_member, candidate_user]


def _browse_urls(version: CertificationVersion) -> list[str]:
    return [reverse("cqp:certification_list"), reverse("cqp:version_detail", args=[version.pk])]


def _edit_urls(version: CertificationVersion) -> list[str]:
    block = version.blocks.first()
    competency = block.competencies.first()
    return [
        reverse("cqp:certification_create"),
        reverse("cqp:version_edit", args=[version.pk]),
        reverse("cqp:block_create", args=[version.pk]),
        reverse("cqp:block_edit", args=[block.pk]),
        reverse("cqp:competency_create", args=[block.pk]),
        reverse("cqp:competency_edit", args=[competency.pk]),
    ]


def _post_urls(version: CertificationVersion) -> list[str]:
    block = version.blocks.first()
    return [
        reverse("cqp:version_publish", args=[version.pk]),
        reverse("cqp:version_archive", args=[version.pk]),
        reverse("cqp:version_new", args=[version.pk]),
        reverse("cqp:block_delete", args=[block.pk]),
        reverse("cqp:competency_delete", args=[block.competencies.first().pk]),
    ]


def test_strangers_are_sent_to_the_login_page_from_every_page(client, polishing) -> None:  # type: ignore[no-untyped-def]
    for url in _browse_urls(polishing) + _edit_urls(polishing):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/compte/connexion/?next="), url
    for url in _post_urls(polishing):
        assert client.post(url).status_code == 302, url
    assert polishing.blocks.count() == 2


def test_every_role_browses_the_referential(client, polishing, certifier_admin, others) -> None:  # type: ignore[no-untyped-def]
    for user in [certifier_admin, *others]:
        client.force_login(user)
        for url in _browse_urls(polishing):
            assert client.get(url).status_code == 200, (user.email, url)


def test_only_certifier_admins_open_the_edit_pages(client, polishing, certifier_admin, others) -> None:  # type: ignore[no-untyped-def]
    client.force_login(certifier_admin)
    for url in _edit_urls(polishing):
        assert client.get(url).status_code == 200, url
    for user in others:
        client.force_login(user)
        for url in _edit_urls(polishing):
            response = client.get(url)
            assert response.status_code == 403, (user.email, url)
            assert "réservée aux administrateurs du certificateur" in response.content.decode()


def test_other_roles_cannot_trigger_admin_actions(client, polishing, others) -> None:  # type: ignore[no-untyped-def]
    for user in others:
        client.force_login(user)
        for url in _post_urls(polishing):
            assert client.post(url).status_code == 403, (user.email, url)
    polishing.refresh_from_db()
    assert polishing.status == VersionStatus.PUBLISHED
    assert CertificationVersion.objects.filter(certification=polishing.certification).count() == 1
    assert Competency.objects.filter(block__version=polishing).count() == 11


def test_unknown_objects_answer_404(client, certifier_admin, staff) -> None:  # type: ignore[no-untyped-def]
    for user in (certifier_admin, staff):
        client.force_login(user)
        assert client.get(reverse("cqp:version_detail", args=[999999])).status_code == 404
    client.force_login(certifier_admin)
    assert client.get(reverse("cqp:block_edit", args=[999999])).status_code == 404
    assert client.get(reverse("cqp:competency_edit", args=[999999])).status_code == 404


def test_the_detail_page_marks_mandatory_competencies_and_states_each_rule(client, staff, polishing) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    page = html.unescape(client.get(reverse("cqp:version_detail", args=[polishing.pk])).content.decode())

    for code in ["C1.1", "C1.2", "C1.3", "C1.4", "C1.5", "C2.1", "C2.2", "C2.3", "C2.4", "C2.5", "C2.6"]:
        assert f'<span class="competency-code fw-semibold">{code}</span>' in page
    assert page.count('data-testid="mandatory"') == 6
    assert (
        "Bloc validé si au moins 60 % des compétences sont acquises (soit 3 sur 5) "
        "et si les compétences C1.1, C1.2 et C1.3 sont acquises."
    ) in page
    assert (
        "Bloc validé si au moins 60 % des compétences sont acquises (soit 4 sur 6) "
        "et si les compétences C2.1, C2.2 et C2.4 sont acquises."
    ) in page
    assert "Modifier le bloc" not in page  # staff read, they do not edit


def test_the_list_keeps_a_constant_number_of_queries(client, staff, referential, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("cqp:certification_list"))
    for _ in range(10):
        version = VersionFactory()
        CompetencyFactory.create_batch(3, block=BlockFactory(version=version))
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("cqp:certification_list"))
    assert response.content.decode().count("<tr") == 1 + 14


def test_the_detail_keeps_a_constant_number_of_queries(
    client, certifier_admin, watchmaker, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(certifier_admin)
    url = reverse("cqp:version_detail", args=[watchmaker.pk])
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(url)
    for n in range(5, 11):
        block = BlockFactory(version=watchmaker, code=f"BC{n}", rncp_code=f"RNCP31313BC{n:02d}", order=n)
        for i in range(1, 9):
            CompetencyFactory(block=block, code=f"C{n}.{i}", order=i)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(url)
    assert response.content.decode().count('data-testid="competency"') == 40 + 48


def test_a_wrong_threshold_redisplays_the_form_with_the_input(client, certifier_admin, watchmaker) -> None:  # type: ignore[no-untyped-def]
    client.force_login(certifier_admin)
    block = watchmaker.blocks.get(code="BC1")
    response = client.post(
        reverse("cqp:block_edit", args=[block.pk]),
        {
            "code": "BC1",
            "rncp_code": "RNCP31313BC01",
            "title": "Relation client revue",
            "order": 1,
            "threshold_percent": 150,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Relation client revue"' in page
    assert "inférieure ou égale à 100" in page
    block.refresh_from_db()
    assert (block.title, block.threshold_percent) == ("Assurer la relation client", 60)


def test_a_duplicate_competency_code_is_refused_on_the_form(client, certifier_admin, polishing) -> None:  # type: ignore[no-untyped-def]
    client.force_login(certifier_admin)
    block = polishing.blocks.get(code="BC2")
    response = client.post(
        reverse("cqp:competency_create", args=[block.pk]), {"code": "C1.2", "label": "Doublon", "order": 7}
    )
    assert response.status_code == 200
    assert "Le code C1.2 est déjà utilisé dans le bloc BC1" in html.unescape(response.content.decode())
    assert 'value="Doublon"' in response.content.decode()
    assert block.competencies.count() == 6


def test_an_admin_edits_a_block_and_its_mandatory_competencies(client, certifier_admin, watchmaker) -> None:  # type: ignore[no-untyped-def]
    client.force_login(certifier_admin)
    block = watchmaker.blocks.get(code="BC2")
    response = client.post(
        reverse("cqp:block_edit", args=[block.pk]),
        {
            "code": "BC2",
            "rncp_code": "RNCP31313BC02",
            "title": block.title,
            "order": 2,
            "threshold_percent": 70,
            "mandatory": ["C2.1", "C2.7"],
        },
    )
    assert response.status_code == 302
    block.refresh_from_db()
    assert block.threshold_percent == 70
    assert set(block.competencies.filter(is_mandatory=True).values_list("code", flat=True)) == {"C2.1", "C2.7"}


def test_an_admin_adds_edits_and_deletes_a_competency_in_a_draft(client, certifier_admin, referential) -> None:  # type: ignore[no-untyped-def]
    client.force_login(certifier_admin)
    draft = CertificationVersion.objects.get(rncp_code="RNCP31394")
    assert (
        client.post(
            reverse("cqp:block_create", args=[draft.pk]),
            {
                "code": "BC1",
                "rncp_code": "RNCP31394BC01",
                "title": "Identifier les gemmes",
                "order": 1,
                "threshold_percent": 60,
            },
        ).status_code
        == 302
    )
    block = Block.objects.get(version=draft)
    assert (
        client.post(
            reverse("cqp:competency_create", args=[block.pk]), {"code": "C1.1", "label": "Observer", "order": 1}
        ).status_code
        == 302
    )
    competency = block.competencies.get()
    assert (
        client.post(
            reverse("cqp:competency_edit", args=[competency.pk]),
            {"code": "C1.1", "label": "Observer à la loupe", "order": 1, "is_mandatory": "on"},
        ).status_code
        == 302
    )
    competency.refresh_from_db()
    assert (competency.label, competency.is_mandatory) == ("Observer à la loupe", True)

    assert client.post(reverse("cqp:version_publish", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    response = client.post(reverse("cqp:competency_delete", args=[competency.pk]), follow=True)
    assert "dernière compétence" in html.unescape(response.content.decode())
    assert block.competencies.count() == 1


def test_publishing_an_incomplete_draft_says_what_is_missing(client, certifier_admin, referential) -> None:  # type: ignore[no-untyped-def]
    client.force_login(certifier_admin)
    draft = CertificationVersion.objects.get(rncp_code="RNCP26849")
    response = client.post(reverse("cqp:version_publish", args=[draft.pk]), follow=True)
    assert "La version n&#x27;a aucun bloc de compétences." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_an_admin_creates_a_new_version_and_archives_the_old_one(client, certifier_admin, polishing) -> None:  # type: ignore[no-untyped-def]
    client.force_login(certifier_admin)
    response = client.post(reverse("cqp:version_new", args=[polishing.pk]))
    new = CertificationVersion.objects.get(previous=polishing)
    assert response.url == reverse("cqp:version_detail", args=[new.pk])
    assert new.blocks.count() == 2
    client.post(reverse("cqp:version_archive", args=[polishing.pk]))
    polishing.refresh_from_db()
    assert polishing.status == VersionStatus.ARCHIVED


def test_an_admin_creates_a_certification_and_edits_its_card(client, certifier_admin, referential) -> None:  # type: ignore[no-untyped-def]
    client.force_login(certifier_admin)
    certifier = Certifier.objects.get(name="CPNEFP HBJO")
    response = client.post(
        reverse("cqp:certification_create"),
        {
            "name": "CQP Sertisseur",
            "slug": "sertisseur",
            "rncp_code": "RNCP40100",
            "title": "CQP Sertisseur en joaillerie",
            "short_title": "CQP Sertisseur",
            "certifier": certifier.pk,
            "nsf_codes": "233, 251",
            "access_routes": ["vae", "apprentissage"],
            "partial_award_allowed": "on",
        },
    )
    assert response.status_code == 302
    version = CertificationVersion.objects.get(rncp_code="RNCP40100")
    assert (version.nsf_codes, sorted(version.access_routes)) == (["233", "251"], ["apprentissage", "vae"])

    response = client.post(
        reverse("cqp:version_edit", args=[version.pk]),
        {"rncp_code": "RNCP40100", "title": "x", "short_title": "x", "certifier": certifier.pk, "nsf_codes": "25"},
    )
    assert response.status_code == 200
    assert "« 25 » n&#x27;est pas un code NSF" in response.content.decode()
