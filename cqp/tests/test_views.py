"""Referential pages: three actors on every page, what the pages show, forms that keep the user's input on
error, the admin's actions, pinned query counts, and the home page per role."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from unittest import mock
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cqp import services
from cqp.models import Block, BlockTest, CertificationVersion, Certifier, Competency, EvaluationMethod, VersionStatus
from tests.factories import BlockFactory, CompetencyFactory, OrganisationFactory, UserFactory, VersionFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/compte/connexion/"
OTHER_ROLES = ["staff", "jury_member", "candidate_user"]
ADMIN_ONLY = "Cette page est réservée aux administrateurs du certificateur."

# Relations that make a version "in use": one `exists()` query each on the admin's detail page.
IN_USE_CHECKS = len(
    [
        relation
        for relation in CertificationVersion._meta.related_objects
        if relation.get_accessor_name() not in services._OWN_RELATIONS
    ]
)
# Session and user, then certifications and their versions (prefetched with their counts).
LIST_QUERIES = 5  # + the count of the paginated list
# Session and user, then version, blocks, competencies, tests; the admin also gets the in-use checks.
DETAIL_QUERIES = 6
ADMIN_DETAIL_QUERIES = DETAIL_QUERIES + IN_USE_CHECKS


@dataclass(frozen=True)
class Page:
    name: str
    kind: str  # "browse": every logged-in role; "form": admin GET and POST; "action": admin POST only
    target: str | None  # which object its pk names: "version", "block", "competency" or none

    def url(self, objects: dict[str, Any], *, pk: int | None = None) -> str:
        if self.target is None:
            return reverse(f"cqp:{self.name}")
        return reverse(f"cqp:{self.name}", args=[pk if pk is not None else objects[self.target].pk])


# Every page of cqp/referential_urls.py; the test below checks that none is forgotten.
PAGES = [
    Page("certification_list", "browse", None),
    Page("version_detail", "browse", "version"),
    Page("certification_create", "form", None),
    Page("version_edit", "form", "version"),
    Page("block_create", "form", "version"),
    Page("block_edit", "form", "block"),
    Page("competency_create", "form", "block"),
    Page("competency_edit", "form", "competency"),
    Page("version_publish", "action", "version"),
    Page("version_archive", "action", "version"),
    Page("version_new", "action", "version"),
    Page("block_delete", "action", "block"),
    Page("competency_delete", "action", "competency"),
    Page("block_test_create", "form", "block"),
    Page("block_test_edit", "form", "test"),
    Page("block_test_delete", "action", "test"),
    # Importing an RNCP fiche: certifier admins only, tested in test_rncp_page.py (strangers here).
    Page("rncp_upload", "import", None),
    Page("rncp_preview", "import", None),
]
BROWSE = [p for p in PAGES if p.kind == "browse"]
FORMS = [p for p in PAGES if p.kind == "form"]
ACTIONS = [p for p in PAGES if p.kind == "action"]
WITH_PK = [p for p in PAGES if p.target is not None]


def page_id(page: Page) -> str:
    return page.name


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def snapshot() -> tuple[Any, ...]:
    return (
        tuple(CertificationVersion.objects.order_by("pk").values_list("pk", "status", "title")),
        tuple(Block.objects.order_by("pk").values_list("pk", "title", "threshold_percent")),
        tuple(Competency.objects.order_by("pk").values_list("pk", "code", "label", "is_mandatory")),
    )


@pytest.fixture
def objects(db: None) -> dict[str, Any]:
    """A complete draft: one block with two competencies."""
    version = VersionFactory(status=VersionStatus.DRAFT, rncp_code="RNCP40800")
    block = BlockFactory(version=version, code="BC1", rncp_code="RNCP40800BC01", order=1, title="Sertir")
    competency = CompetencyFactory(block=block, code="C1.1", order=1, label="Sertir à grains")
    CompetencyFactory(block=block, code="C1.2", order=2, label="Sertir à griffes")
    test = BlockTest.objects.create(
        block=block, order=1, method=EvaluationMethod.PRACTICAL, title="Sertir une bague", duration_minutes=60
    )
    return {"version": version, "block": block, "competency": competency, "test": test}


@pytest.fixture
def polishing(referential: None) -> CertificationVersion:
    return CertificationVersion.objects.get(rncp_code="RNCP26850")


@pytest.fixture
def watchmaker(referential: None) -> CertificationVersion:
    return CertificationVersion.objects.get(rncp_code="RNCP31313")


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_the_table_lists_every_page_of_the_referential_urls() -> None:
    from cqp.referential_urls import urlpatterns

    assert {pattern.name for pattern in urlpatterns} == {page.name for page in PAGES}


# Strangers


@pytest.mark.parametrize("page", [p for p in PAGES if p.kind != "action"], ids=page_id)
def test_a_stranger_is_sent_to_the_login_page(client: Client, objects: dict[str, Any], page: Page) -> None:
    url = page.url(objects)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={quote(url)}"


@pytest.mark.parametrize("page", [p for p in PAGES if p.kind != "browse"], ids=page_id)
def test_a_stranger_posting_is_sent_to_the_login_page_and_changes_nothing(
    client: Client, objects: dict[str, Any], page: Page
) -> None:
    url = page.url(objects)
    before = snapshot()

    response = client.post(url, {"title": "Piratage", "code": "BC9", "label": "x", "threshold_percent": 50})

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={quote(url)}"
    assert snapshot() == before


# Browsing: every logged-in role


@pytest.mark.parametrize("role", ["certifier_admin", *OTHER_ROLES])
@pytest.mark.parametrize("page", BROWSE, ids=page_id)
def test_every_logged_in_role_browses_the_referential(
    client: Client, request: pytest.FixtureRequest, objects: dict[str, Any], page: Page, role: str
) -> None:
    response = logged_in(client, request.getfixturevalue(role)).get(page.url(objects))

    assert response.status_code == 200
    assert "RNCP 40800" in text_of(response)


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_do_not_see_the_edit_links(
    client: Client, request: pytest.FixtureRequest, objects: dict[str, Any], role: str
) -> None:
    client = logged_in(client, request.getfixturevalue(role))

    detail = text_of(client.get(reverse("cqp:version_detail", args=[objects["version"].pk])))
    listing = text_of(client.get(reverse("cqp:certification_list")))

    assert "Sertir à grains" in detail
    for link in ("Modifier la fiche", "Modifier le bloc", "Ajouter un bloc", "Publier", "Avant publication"):
        assert link not in detail
    assert "Nouvelle certification" not in listing


def test_the_admin_sees_the_edit_links_and_what_blocks_publication(client: Client, certifier_admin: User) -> None:
    version = VersionFactory(status=VersionStatus.DRAFT, rncp_code="RNCP40900")
    BlockFactory(version=version, code="BC1", rncp_code="RNCP40900BC01", order=1)

    detail = text_of(logged_in(client, certifier_admin).get(reverse("cqp:version_detail", args=[version.pk])))

    for link in ("Modifier la fiche", "Modifier le bloc", "Ajouter un bloc", "Ajouter une compétence", "Publier"):
        assert link in detail
    assert "Le bloc BC1 n'a aucune compétence" in detail


# Forms: certifier admins only


@pytest.mark.parametrize("page", FORMS, ids=page_id)
def test_a_certifier_admin_opens_every_form(
    client: Client, certifier_admin: User, objects: dict[str, Any], page: Page
) -> None:
    response = logged_in(client, certifier_admin).get(page.url(objects))

    assert response.status_code == 200
    assert "<form" in text_of(response)
    assert "Enregistrer" in text_of(response)


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize("page", FORMS, ids=page_id)
def test_other_roles_are_refused_every_form(
    client: Client, request: pytest.FixtureRequest, objects: dict[str, Any], page: Page, role: str
) -> None:
    client = logged_in(client, request.getfixturevalue(role))
    before = snapshot()

    shown = client.get(page.url(objects))
    posted = client.post(page.url(objects), {"code": "BC9", "title": "Intrus", "label": "Intrus", "order": 1})

    assert shown.status_code == 403
    assert ADMIN_ONLY in text_of(shown)
    assert posted.status_code == 403
    assert snapshot() == before


# Actions: certifier admins only, by POST


@pytest.mark.parametrize("page", ACTIONS, ids=page_id)
def test_a_certifier_admin_triggers_every_action_and_lands_on_a_version(
    client: Client, certifier_admin: User, objects: dict[str, Any], page: Page
) -> None:
    response = logged_in(client, certifier_admin).post(page.url(objects))

    assert response.status_code == 302
    assert re.fullmatch(r"/referentiel/versions/\d+/", response["Location"])


@pytest.mark.parametrize("page", ACTIONS, ids=page_id)
def test_actions_refuse_a_get(client: Client, certifier_admin: User, objects: dict[str, Any], page: Page) -> None:
    before = snapshot()

    response = logged_in(client, certifier_admin).get(page.url(objects))

    assert response.status_code == 405
    assert snapshot() == before


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize("page", ACTIONS, ids=page_id)
def test_other_roles_cannot_trigger_any_action(
    client: Client, request: pytest.FixtureRequest, objects: dict[str, Any], page: Page, role: str
) -> None:
    before = snapshot()

    response = logged_in(client, request.getfixturevalue(role)).post(page.url(objects))

    assert response.status_code == 403
    assert ADMIN_ONLY in text_of(response)
    assert snapshot() == before


# Unknown objects


@pytest.mark.parametrize("page", WITH_PK, ids=page_id)
def test_an_unknown_pk_answers_404_to_the_admin(
    client: Client, certifier_admin: User, objects: dict[str, Any], page: Page
) -> None:
    client = logged_in(client, certifier_admin)
    url = page.url(objects, pk=999_999)

    response = client.post(url) if page.kind == "action" else client.get(url)

    assert response.status_code == 404


def test_an_unknown_version_answers_404_to_every_role(
    client: Client, certifier_admin: User, staff: User, jury_member: User, candidate_user: User
) -> None:
    for user in (certifier_admin, staff, jury_member, candidate_user):
        response = logged_in(client, user).get(reverse("cqp:version_detail", args=[999_999]))
        assert response.status_code == 404, user.email


# What the detail page shows


def competency_rows(page: str) -> dict[str, str]:
    rows = re.findall(r'<li[^>]*data-testid="competency">(.*?)</li>', page, flags=re.S)
    by_code = {}
    for row in rows:
        code = re.search(r'<span class="competency-code[^"]*">([^<]+)</span>', row)
        assert code is not None, row
        by_code[code.group(1)] = row
    return by_code


def test_the_26850_detail_shows_its_blocks_competencies_mandatory_badges_and_rules(
    client: Client, staff: User, polishing: CertificationVersion
) -> None:
    page = text_of(logged_in(client, staff).get(reverse("cqp:version_detail", args=[polishing.pk])))

    assert page.count('data-testid="block"') == 2
    assert "BC1 — Préparer le travail de polissage d'une pièce de bijouterie" in page
    assert "BC2 — Polir une pièce de bijouterie" in page
    rows = competency_rows(page)
    assert list(rows) == ["C1.1", "C1.2", "C1.3", "C1.4", "C1.5", "C2.1", "C2.2", "C2.3", "C2.4", "C2.5", "C2.6"]
    badged = {code for code, row in rows.items() if 'data-testid="mandatory"' in row and "Obligatoire" in row}
    assert badged == {"C1.1", "C1.2", "C1.3", "C2.1", "C2.2", "C2.4"}
    assert page.count("Obligatoire") == 6
    assert (
        "Bloc validé si au moins 60 % des compétences sont acquises (soit 3 sur 5) "
        "et si les compétences C1.1, C1.2 et C1.3 sont acquises."
    ) in page
    assert (
        "Bloc validé si au moins 60 % des compétences sont acquises (soit 4 sur 6) "
        "et si les compétences C2.1, C2.2 et C2.4 sont acquises."
    ) in page


def test_the_31313_detail_states_a_rule_without_mandatory_competencies(
    client: Client, jury_member: User, watchmaker: CertificationVersion
) -> None:
    page = text_of(logged_in(client, jury_member).get(reverse("cqp:version_detail", args=[watchmaker.pk])))

    assert len(competency_rows(page)) == 40
    assert "Obligatoire" not in page
    assert "Bloc validé si au moins 60 % des compétences sont acquises (soit 8 sur 12)." in page
    assert "Bloc validé si au moins 60 % des compétences sont acquises (soit 5 sur 7)." in page


# Forms keep the input and explain the error in French


def test_a_block_threshold_of_150_redisplays_the_form_with_the_input_and_an_error(
    client: Client, certifier_admin: User, objects: dict[str, Any]
) -> None:
    version = objects["version"]

    response = logged_in(client, certifier_admin).post(
        reverse("cqp:block_create", args=[version.pk]),
        {
            "code": "BC2",
            "rncp_code": "RNCP40800BC02",
            "title": "Polir la monture",
            "order": 2,
            "threshold_percent": 150,
        },
    )

    page = text_of(response)
    assert response.status_code == 200
    assert 'value="Polir la monture"' in page
    assert 'value="150"' in page
    assert "Assurez-vous que cette valeur est inférieure ou égale à 100." in page
    assert version.blocks.count() == 1


def test_a_duplicate_competency_code_is_named_on_the_form(
    client: Client, certifier_admin: User, objects: dict[str, Any]
) -> None:
    version = objects["version"]
    other = BlockFactory(version=version, code="BC2", rncp_code="RNCP40800BC02", order=2)

    response = logged_in(client, certifier_admin).post(
        reverse("cqp:competency_create", args=[other.pk]), {"code": "C1.2", "label": "Doublon de griffes", "order": 1}
    )

    page = text_of(response)
    assert response.status_code == 200
    assert "Le code C1.2 est déjà utilisé dans le bloc BC1." in page
    assert 'value="Doublon de griffes"' in page
    assert not other.competencies.exists()


def test_a_block_rncp_code_of_another_certification_is_refused_on_the_form(
    client: Client, certifier_admin: User, objects: dict[str, Any]
) -> None:
    version = objects["version"]

    response = logged_in(client, certifier_admin).post(
        reverse("cqp:block_create", args=[version.pk]),
        {"code": "BC2", "rncp_code": "RNCP31313BC02", "title": "Polir", "order": 2, "threshold_percent": 60},
    )

    page = text_of(response)
    assert response.status_code == 200
    assert "Le code RNCP du bloc doit commencer par RNCP40800BC." in page
    assert 'value="RNCP31313BC02"' in page
    assert version.blocks.count() == 1


def test_a_duplicate_block_code_is_refused_on_the_form(
    client: Client, certifier_admin: User, objects: dict[str, Any]
) -> None:
    version = objects["version"]

    response = logged_in(client, certifier_admin).post(
        reverse("cqp:block_create", args=[version.pk]),
        {"code": "BC1", "rncp_code": "RNCP40800BC02", "title": "Doublon", "order": 2, "threshold_percent": 60},
    )

    assert response.status_code == 200
    assert "Ce code de bloc existe déjà dans cette version." in text_of(response)
    assert version.blocks.count() == 1


def test_a_frozen_rule_is_refused_on_the_version_form_with_the_way_out(
    client: Client, certifier_admin: User, watchmaker: CertificationVersion
) -> None:
    data = {
        "rncp_code": "RNCP31313",
        "title": watchmaker.title,
        "short_title": watchmaker.short_title,
        "certifier": watchmaker.certifier_id,
        "nsf_codes": "251",
        "block_validity_years": 5,
    }

    with mock.patch("cqp.services.version_is_in_use", return_value=True):
        response = logged_in(client, certifier_admin).post(reverse("cqp:version_edit", args=[watchmaker.pk]), data)

    assert response.status_code == 200
    assert "Créez une nouvelle version pour la modifier." in text_of(response)
    watchmaker.refresh_from_db()
    assert watchmaker.block_validity_years is None


def test_a_refused_block_edit_saves_nothing(
    client: Client, certifier_admin: User, watchmaker: CertificationVersion
) -> None:
    services.version_archive(version=watchmaker)
    block = watchmaker.blocks.get(code="BC2")

    response = logged_in(client, certifier_admin).post(
        reverse("cqp:block_edit", args=[block.pk]),
        {
            "code": "BC2",
            "rncp_code": "RNCP31313BC02",
            "title": "Diagnostiquer",
            "order": 2,
            "threshold_percent": 60,
            "mandatory": ["C2.1"],
        },
    )

    assert response.status_code == 200
    assert "est archivée" in text_of(response)
    block.refresh_from_db()
    assert block.title == "Etablir des diagnostics sur des montres à complications"


def test_a_wrong_threshold_on_the_block_edit_form_redisplays_the_input(
    client: Client, certifier_admin: User, watchmaker: CertificationVersion
) -> None:
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


# The admin's successful actions


def test_an_admin_creates_a_block(client: Client, certifier_admin: User, objects: dict[str, Any]) -> None:
    version = objects["version"]

    response = logged_in(client, certifier_admin).post(
        reverse("cqp:block_create", args=[version.pk]),
        {"code": "BC2", "rncp_code": "RNCP40800BC02", "title": "Polir la monture", "order": 2, "threshold_percent": 75},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cqp:version_detail", args=[version.pk])
    block = version.blocks.get(code="BC2")
    assert (block.title, block.rncp_code, block.threshold_percent) == ("Polir la monture", "RNCP40800BC02", 75)


def test_the_block_form_suggests_the_next_codes(client: Client, certifier_admin: User, objects: dict[str, Any]) -> None:
    response = logged_in(client, certifier_admin).get(reverse("cqp:block_create", args=[objects["version"].pk]))

    page = text_of(response)
    assert 'value="BC2"' in page
    assert 'value="RNCP40800BC02"' in page


def test_an_admin_edits_a_block_and_ticks_its_mandatory_competencies(
    client: Client, certifier_admin: User, watchmaker: CertificationVersion
) -> None:
    block = watchmaker.blocks.get(code="BC4")
    client = logged_in(client, certifier_admin)
    form = text_of(client.get(reverse("cqp:block_edit", args=[block.pk])))
    assert form.count('name="mandatory"') == 10

    response = client.post(
        reverse("cqp:block_edit", args=[block.pk]),
        {
            "code": "BC4",
            "rncp_code": "RNCP31313BC04",
            "title": "Organiser l’intervention",
            "order": 4,
            "threshold_percent": 70,
            "mandatory": ["C4.1", "C4.3"],
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cqp:version_detail", args=[watchmaker.pk])
    block.refresh_from_db()
    assert block.threshold_percent == 70
    assert set(block.competencies.filter(is_mandatory=True).values_list("code", flat=True)) == {"C4.1", "C4.3"}
    detail = text_of(client.get(response["Location"]))
    assert "(soit 7 sur 10) et si les compétences C4.1 et C4.3 sont acquises." in detail


def test_an_admin_unticks_every_mandatory_competency(
    client: Client, certifier_admin: User, polishing: CertificationVersion
) -> None:
    block = polishing.blocks.get(code="BC1")

    response = logged_in(client, certifier_admin).post(
        reverse("cqp:block_edit", args=[block.pk]),
        {"code": "BC1", "rncp_code": "RNCP26850BC01", "title": block.title, "order": 1, "threshold_percent": 60},
    )

    assert response.status_code == 302
    assert not block.competencies.filter(is_mandatory=True).exists()


def test_an_admin_creates_edits_and_deletes_a_competency(
    client: Client, certifier_admin: User, objects: dict[str, Any]
) -> None:
    block = objects["block"]
    client = logged_in(client, certifier_admin)
    detail_url = reverse("cqp:version_detail", args=[block.version_id])

    created = client.post(
        reverse("cqp:competency_create", args=[block.pk]),
        {"code": "C1.3", "label": "Sertir clos", "order": 3, "is_mandatory": "on"},
    )
    assert (created.status_code, created["Location"]) == (302, detail_url)
    competency = block.competencies.get(code="C1.3")
    assert (competency.label, competency.is_mandatory) == ("Sertir clos", True)

    edited = client.post(
        reverse("cqp:competency_edit", args=[competency.pk]),
        {"code": "C1.3", "label": "Sertir clos à la main", "order": 3},
    )
    assert (edited.status_code, edited["Location"]) == (302, detail_url)
    competency.refresh_from_db()
    assert (competency.label, competency.is_mandatory) == ("Sertir clos à la main", False)

    deleted = client.post(reverse("cqp:competency_delete", args=[competency.pk]), follow=True)
    assert deleted.redirect_chain == [(detail_url, 302)]
    assert "Compétence C1.3 supprimée." in text_of(deleted)
    assert not Competency.objects.filter(pk=competency.pk).exists()


def test_an_admin_adds_edits_and_deletes_a_competency_in_a_draft(
    client: Client, certifier_admin: User, referential: None
) -> None:
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


def test_an_admin_deletes_a_draft_block(client: Client, certifier_admin: User, objects: dict[str, Any]) -> None:
    block = objects["block"]

    response = logged_in(client, certifier_admin).post(reverse("cqp:block_delete", args=[block.pk]), follow=True)

    assert "Bloc BC1 supprimé." in text_of(response)
    assert not Block.objects.filter(pk=block.pk).exists()
    assert not Competency.objects.filter(block_id=block.pk).exists()


def test_deleting_a_published_block_is_refused_with_a_message(
    client: Client, certifier_admin: User, watchmaker: CertificationVersion
) -> None:
    block = watchmaker.blocks.get(code="BC1")

    response = logged_in(client, certifier_admin).post(reverse("cqp:block_delete", args=[block.pk]), follow=True)

    assert "On ne supprime un bloc que d'une version en préparation." in text_of(response)
    assert Block.objects.filter(pk=block.pk).exists()


def test_an_admin_publishes_then_archives_a_version(
    client: Client, certifier_admin: User, objects: dict[str, Any]
) -> None:
    version = objects["version"]
    client = logged_in(client, certifier_admin)

    published = client.post(reverse("cqp:version_publish", args=[version.pk]), follow=True)
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert "Version publiée : elle est en vigueur." in text_of(published)

    archived = client.post(reverse("cqp:version_archive", args=[version.pk]), follow=True)
    version.refresh_from_db()
    assert version.status == VersionStatus.ARCHIVED
    assert "Version archivée." in text_of(archived)


def test_publishing_an_incomplete_draft_says_what_is_missing(
    client: Client, certifier_admin: User, referential: None
) -> None:
    draft = CertificationVersion.objects.get(rncp_code="RNCP26849")

    response = logged_in(client, certifier_admin).post(reverse("cqp:version_publish", args=[draft.pk]), follow=True)

    assert "La version n'a aucun bloc de compétences." in text_of(response)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_archiving_a_draft_is_refused_with_a_message(
    client: Client, certifier_admin: User, objects: dict[str, Any]
) -> None:
    version = objects["version"]

    response = logged_in(client, certifier_admin).post(reverse("cqp:version_archive", args=[version.pk]), follow=True)

    assert "Seule une version en vigueur peut être archivée." in text_of(response)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_an_admin_creates_a_new_version_and_lands_on_it(
    client: Client, certifier_admin: User, polishing: CertificationVersion
) -> None:
    client = logged_in(client, certifier_admin)

    response = client.post(reverse("cqp:version_new", args=[polishing.pk]))

    new = CertificationVersion.objects.get(previous=polishing)
    assert response["Location"] == reverse("cqp:version_detail", args=[new.pk])
    assert (new.number, new.status) == (2, VersionStatus.DRAFT)
    assert list(new.blocks.values_list("code", flat=True)) == ["BC1", "BC2"]
    assert Competency.objects.filter(block__version=new).count() == 11

    again = client.post(reverse("cqp:version_new", args=[polishing.pk]), follow=True)
    assert again.redirect_chain == [(reverse("cqp:version_detail", args=[polishing.pk]), 302)]
    assert "La version 1 a déjà une version suivante." in text_of(again)
    assert polishing.certification.versions.count() == 2


def test_an_admin_creates_a_certification_and_edits_its_card(
    client: Client, certifier_admin: User, referential: None
) -> None:
    client = logged_in(client, certifier_admin)
    certifier = Certifier.objects.get(name="CPNEFP HBJO")

    created = client.post(
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

    version = CertificationVersion.objects.get(rncp_code="RNCP40100")
    assert created["Location"] == reverse("cqp:version_detail", args=[version.pk])
    assert (version.number, version.status, version.nsf_codes) == (1, VersionStatus.DRAFT, ["233", "251"])
    assert sorted(version.access_routes) == ["apprentissage", "vae"]

    edited = client.post(
        reverse("cqp:version_edit", args=[version.pk]),
        {
            "rncp_code": "RNCP40100",
            "title": "CQP Sertisseur en haute joaillerie",
            "short_title": "CQP Sertisseur",
            "certifier": certifier.pk,
            "nsf_codes": "233",
            "block_validity_years": 5,
        },
    )
    assert edited.status_code == 302
    version.refresh_from_db()
    assert (version.title, version.nsf_codes, version.block_validity_years) == (
        "CQP Sertisseur en haute joaillerie",
        ["233"],
        5,
    )

    refused = client.post(
        reverse("cqp:version_edit", args=[version.pk]),
        {"rncp_code": "RNCP40100", "title": "x", "short_title": "x", "certifier": certifier.pk, "nsf_codes": "25"},
    )
    assert refused.status_code == 200
    assert "« 25 » n&#x27;est pas un code NSF" in refused.content.decode()


def test_creating_a_certification_with_a_taken_rncp_code_keeps_the_input(
    client: Client, certifier_admin: User, referential: None
) -> None:
    response = logged_in(client, certifier_admin).post(
        reverse("cqp:certification_create"),
        {
            "name": "CQP Doublon",
            "slug": "doublon",
            "rncp_code": "RNCP31313",
            "title": "CQP Doublon",
            "short_title": "CQP Doublon",
            "certifier": Certifier.objects.get(name="CPNEFP HBJO").pk,
        },
    )

    page = text_of(response)
    assert response.status_code == 200
    assert "Le code RNCP31313 est déjà celui d'une autre certification." in page
    assert 'value="CQP Doublon"' in page
    assert not CertificationVersion.objects.filter(certification__slug="doublon").exists()


# Query counts


def add_blocks(version: CertificationVersion, *, first: int, count: int, competencies: int) -> None:
    for n in range(first, first + count):
        block = BlockFactory(version=version, code=f"BC{n}", rncp_code=f"{version.rncp_code}BC{n:02d}", order=n)
        for i in range(1, competencies + 1):
            CompetencyFactory(block=block, code=f"C{n}.{i}", order=i)


def test_the_query_budget_is_small() -> None:
    assert ADMIN_DETAIL_QUERIES <= 11
    assert LIST_QUERIES <= 5


def test_the_list_query_count_does_not_grow_with_the_referential(
    client: Client, staff: User, referential: None, django_assert_max_num_queries: Any
) -> None:
    client = logged_in(client, staff)
    url = reverse("cqp:certification_list")

    with django_assert_max_num_queries(LIST_QUERIES) as small:
        first = client.get(url)
    for _ in range(4):
        version = VersionFactory()
        add_blocks(version, first=1, count=2, competencies=3)
    with django_assert_max_num_queries(LIST_QUERIES) as large:
        second = client.get(url)

    assert len(large.captured_queries) == len(small.captured_queries)
    assert text_of(first).count("<tr") == 1 + 4
    assert text_of(second).count("<tr") == 1 + 8


@pytest.mark.parametrize(("role", "budget"), [("certifier_admin", ADMIN_DETAIL_QUERIES), ("staff", DETAIL_QUERIES)])
def test_the_31313_detail_query_count_does_not_grow_with_its_blocks(
    client: Client,
    request: pytest.FixtureRequest,
    watchmaker: CertificationVersion,
    django_assert_max_num_queries: Any,
    role: str,
    budget: int,
) -> None:
    client = logged_in(client, request.getfixturevalue(role))
    url = reverse("cqp:version_detail", args=[watchmaker.pk])

    with django_assert_max_num_queries(budget) as small:
        first = client.get(url)
    add_blocks(watchmaker, first=5, count=4, competencies=10)  # 4 blocks, 40 competencies: twice as many
    with django_assert_max_num_queries(budget) as large:
        second = client.get(url)

    assert len(large.captured_queries) == len(small.captured_queries)
    assert text_of(first).count('data-testid="competency"') == 40
    assert text_of(second).count('data-testid="competency"') == 80
    assert text_of(second).count('data-testid="block"') == 8


def test_the_list_keeps_a_constant_number_of_queries(
    client: Client, staff: User, referential: None, django_assert_num_queries: Any
) -> None:
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
    client: Client, certifier_admin: User, watchmaker: CertificationVersion, django_assert_num_queries: Any
) -> None:
    client.force_login(certifier_admin)
    url = reverse("cqp:version_detail", args=[watchmaker.pk])
    with django_assert_num_queries(ADMIN_DETAIL_QUERIES):
        client.get(url)
    for n in range(5, 11):
        block = BlockFactory(version=watchmaker, code=f"BC{n}", rncp_code=f"RNCP31313BC{n:02d}", order=n)
        for i in range(1, 9):
            CompetencyFactory(block=block, code=f"C{n}.{i}", order=i)
    with django_assert_num_queries(ADMIN_DETAIL_QUERIES):
        response = client.get(url)
    assert response.content.decode().count('data-testid="competency"') == 40 + 48


# Home page per role

HOME_SECTIONS = {
    "certifier_admin": "home-certifier-admin",
    "staff": "home-organisation-staff",
    "jury_member": "home-jury-member",
    "candidate_user": "home-candidate",
}


def sections_on(page: str) -> set[str]:
    return {section for section in HOME_SECTIONS.values() if f'data-testid="{section}"' in page}


@pytest.mark.parametrize("role", list(HOME_SECTIONS))
def test_the_home_page_shows_the_section_of_the_role(
    client: Client, request: pytest.FixtureRequest, referential: None, role: str
) -> None:
    response = logged_in(client, request.getfixturevalue(role)).get("/")

    assert response.status_code == 200
    assert sections_on(text_of(response)) == {HOME_SECTIONS[role]}
    assert "RNCP 31313 — CQP Horloger qualifié" in text_of(response)


def test_the_home_page_shows_both_sections_to_a_person_with_two_roles(client: Client) -> None:
    trainer = UserFactory(
        email="formateur-jury@example.org",
        organisation=OrganisationFactory(name="Lycée Jean Jaurès"),
        is_jury_member=True,
    )

    page = text_of(logged_in(client, trainer).get("/"))

    assert sections_on(page) == {"home-organisation-staff", "home-jury-member"}
    assert "Lycée Jean Jaurès" in page


def test_the_home_page_tells_a_person_without_role_to_ask_the_certifier(client: Client) -> None:
    nobody = UserFactory(email="sans-role@example.org")

    page = text_of(logged_in(client, nobody).get("/"))

    assert sections_on(page) == set()
    assert "Aucun rôle ne vous est encore attribué" in page


def test_the_home_page_sends_a_stranger_to_the_login_page(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next=/"
