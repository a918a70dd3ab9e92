"""Each version its own jury rules (issue 13, part 1): stored with the version, loaded for the branch's
certifications, edited by admins while the version is free, frozen once in use, copied to a new version, read by
the composition services (a 31313 test jury and final jury seat what the fiche asks; 26850's stay as they were)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cqp import services as cqp_services
from cqp.models import CertificationVersion, TrainingOrganisation
from demo.builders import jury_member, make_candidate, past_session, user
from juries import rule_sets, rules, selectors, services
from juries.models import JuryRuleSet
from juries.rules import CERTIFICATION, EMPLOYEES, EMPLOYERS, EVALUATION, PROFESSIONAL, TRAINER
from juries.tests.services.helpers import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(referential: Any) -> Any:
    return user("regles@example.org", password="motdepasse-regles-1", is_certifier_admin=True)


def version(code: str) -> CertificationVersion:
    return CertificationVersion.objects.get(rncp_code=code)


def test_load_referential_gives_31313_its_fiche_rules_and_the_others_26850s(referential: Any) -> None:
    test_jury = rule_sets.rules_for(version("RNCP31313"), EVALUATION)
    assert test_jury.name == "jury d'épreuve"
    assert [(s.college, s.minimum, s.maximum, s.ex_officio) for s in test_jury.seats] == [
        (PROFESSIONAL, 2, None, False),
        (TRAINER, 2, 2, False),
        (EMPLOYEES, 1, 1, True),
        (EMPLOYERS, 1, 1, True),
    ]
    final = rule_sets.rules_for(version("RNCP31313"), CERTIFICATION)
    assert (final.name, final.min_members) == ("jury paritaire final", 4)
    for code in ("RNCP26850", "RNCP26849", "RNCP31394"):
        for kind in rules.KINDS:
            assert rule_sets.rules_for(version(code), kind) == rules.default_rules(kind)
    assert JuryRuleSet.objects.count() == 8


def test_rules_are_frozen_once_the_version_is_in_use_and_a_new_version_starts_with_them(
    referential: Any, admin: Any
) -> None:
    polishing = version("RNCP26850")
    organisation = TrainingOrganisation.objects.get(name="BJO Formation")
    staff = user("of-regles@example.org", organisation=organisation)
    past_session(staff, polishing, [make_candidate(organisation, 1, created_by=staff)])
    with refused("est déjà utilisée", "changer la composition de ses jurys"):
        save(polishing, admin, name="jury d'évaluation modifié")
    new = cqp_services.version_new(previous=polishing)
    assert rule_sets.rules_for(new, EVALUATION) == rules.default_rules(EVALUATION)
    save(new, admin, name="jury d'évaluation modifié")
    assert rule_sets.rules_for(new, EVALUATION).name == "jury d'évaluation modifié"
    assert rule_sets.rules_for(polishing, EVALUATION).name == "jury d'évaluation"


def save(target: CertificationVersion, by: Any, **changes: Any) -> JuryRuleSet:
    fields: dict[str, Any] = {
        "kind": EVALUATION,
        "name": "jury d'évaluation",
        "seats": rules.default_rules(EVALUATION).seats,
        "presiding": (EMPLOYEES, EMPLOYERS),
        "min_members": 3,
        "max_members": 3,
        "trainers_linked_allowed": False,
        "external_percent": 50,
        "source": "essai",
    }
    fields.update(changes)
    return rule_sets.rule_set_save(version=target, saved_by=by, **fields)


def test_only_certifier_admins_set_rules_and_impossible_rules_are_refused(referential: Any, admin: Any) -> None:
    draft = version("RNCP26849")
    with pytest.raises(PermissionDenied):
        save(draft, user("curieux@example.org"))
    with pytest.raises(ValidationError) as refusal:
        save(draft, admin, name=" ", max_members=2, presiding=(PROFESSIONAL,))
    assert refusal.value.messages == [
        "Donnez le nom du jury tel que la fiche l'écrit.",
        "Le jury compte au plus 2 membres mais ses minimums en demandent 3.",
        "Le président doit être choisi parmi des collèges qui siègent dans ce jury.",
    ]
    assert rule_sets.rules_for(draft, EVALUATION) == rules.default_rules(EVALUATION)


def test_the_admin_page_shows_both_juries_in_words_and_saves_a_correction(client: Any, admin: Any) -> None:
    client.force_login(admin)
    url = reverse("juries:version_rules", args=[version("RNCP31313").pk])
    page = client.get(url).content.decode()
    assert "jury d&#x27;épreuve" in page and "jury paritaire final" in page
    assert "au moins 2 × professionnel ayant des compétences en lien avec le CQP" in page
    form = {
        "kind": CERTIFICATION,
        "name": "jury paritaire final",
        "min_members": "5",
        "max_members": "",
        "presiding": [EMPLOYEES, EMPLOYERS],
        "external_percent": "50",
        "source": "Fiche RNCP 31313",
        f"{EMPLOYEES}_label": "membre de la CPNEFP (collège des salariés)",
        f"{EMPLOYEES}_minimum": "2",
        f"{EMPLOYERS}_label": "membre de la CPNEFP (collège des employeurs)",
        f"{EMPLOYERS}_minimum": "2",
        f"{EMPLOYERS}_maximum": "1",
    }
    refused_answer = client.post(url, form)
    assert refused_answer.status_code == 400
    text = refused_answer.content.decode()
    assert "le maximum (1) est inférieur au minimum (2)" in text
    assert 'value="5"' in text  # the admin's input stays
    form[f"{EMPLOYERS}_maximum"] = ""
    assert client.post(url, form).status_code == 302
    final = rule_sets.rules_for(version("RNCP31313"), CERTIFICATION)
    assert final.min_members == 5
    assert [(s.college, s.minimum, s.maximum) for s in final.seats] == [(EMPLOYEES, 2, None), (EMPLOYERS, 2, None)]


def test_a_31313_session_gets_a_lawful_test_jury_and_the_fiche_rules_refuse_the_rest(
    referential: Any, admin: Any
) -> None:
    clockmaking = version("RNCP31313")
    school = TrainingOrganisation.objects.get(name="École d'horlogerie Charles Edouard Guillaume")
    staff = user("ecole@example.org", organisation=school)
    session = past_session(staff, clockmaking, [make_candidate(school, 1, created_by=staff)], jury_by=admin)
    jury = session.jury
    only_31313 = [clockmaking.certification]

    def member(email: str, college: str, **fields: Any) -> Any:
        return jury_member(email, college, certifications=fields.pop("certifications", only_31313), **fields)

    pros = [member(f"pro{n}@example.org", PROFESSIONAL, company_name=f"Horlogerie {n}") for n in (1, 2)]
    trainers = [member(f"prof{n}@example.org", TRAINER, organisation=school) for n in (1, 2)]
    # CPNEFP members sit ex officio: one approved for 26850 only sits on 31313's test jury.
    only_26850 = [version("RNCP26850").certification]
    cpnefp = [
        member("cpnefp-s@example.org", EMPLOYEES, certifications=only_26850),
        member("cpnefp-e@example.org", EMPLOYERS),
    ]
    for sitting in [*pros, *trainers, *cpnefp]:
        services.jury_assign(jury=jury, member=sitting, assigned_by=admin)
    with refused("Le jury d'épreuve compte déjà 2 × formateur du centre de formation agréé par la branche"):
        services.jury_assign(
            jury=jury, member=member("prof3@example.org", TRAINER, organisation=school), assigned_by=admin
        )
    with refused("ne peut pas présider : le président du jury d'épreuve est choisi parmi : membre de la CPNEFP"):
        services.jury_president_designate(jury=jury, member=trainers[0], designated_by=admin)
    services.jury_president_designate(jury=jury, member=cpnefp[0], designated_by=admin)
    assert selectors.composition_problems(jury) == []
    services.jury_unassign(jury=jury, member=pros[1], removed_by=admin)
    assert selectors.composition_problems(jury) == [
        "Le jury d'épreuve demande au moins 2 × professionnel ayant des compétences en lien avec le CQP (1 à ce jour)."
    ]


def test_the_pv_and_exports_name_each_college_in_the_versions_words_and_26850s_as_the_registry_does(
    referential: Any,
) -> None:
    from juries.models import College

    final = rule_sets.college_titles(version("RNCP31313"), CERTIFICATION)
    assert final[EMPLOYEES] == "Membre de la CPNEFP (collège des salariés)"
    assert rule_sets.college_titles(version("RNCP31313"), EVALUATION)[PROFESSIONAL] == (
        "Professionnel ayant des compétences en lien avec le CQP"
    )
    for kind in rules.KINDS:
        titles = rule_sets.college_titles(version("RNCP26850"), kind)
        assert titles == {college: str(label) for college, label in College.choices}
