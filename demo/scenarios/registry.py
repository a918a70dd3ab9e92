"""The juries' registry: every demo jury member approved by the certifier's admin; the composition of the
demo evaluation juries (presided by Marc Petit) and certification juries (by Françoise Aubert)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError

from accounts.models import User
from cqp.models import Certification, CertificationVersion
from demo.scenarios.accounts import organisation_named
from evaluations.models import EvaluationSession
from juries import services as jury_services
from juries.models import College, Jury, JuryMember, MemberStatus

POLISHING = "operateur-polissage"  # RNCP 26850


# The juries' registry: every demo jury member, approved by the certifier's admin.
DEMO_JURY_MEMBERS: list[dict[str, Any]] = [
    {"email": "jury@cqp.test", "college": College.EMPLOYERS, "company_name": "Joaillerie Petit et Fils"},
    {"email": "salarie@cqp.test", "college": College.EMPLOYEES, "company_name": "Bijouterie Lumière"},
    {"email": "formateur@cqp.test", "college": College.TRAINER, "company_name": "Atelier-école de Saumur"},
    {"email": "president@cqp.test", "college": College.CERTIFIER_PRESIDENT, "company_name": "CPNEFP HBJO"},
    {"email": "salarie2@cqp.test", "college": College.EMPLOYEES, "company_name": "Orfèvrerie du Marais"},
    {"email": "employeur@cqp.test", "college": College.EMPLOYERS, "company_name": "Horlogerie-Joaillerie Vendôme"},
    {
        "email": "formateur-jury@cqp.test",
        "college": College.TRAINER,
        "company_name": "École d'horlogerie Charles Edouard Guillaume",
        "organisation": "École d'horlogerie Charles Edouard Guillaume",
        "certification": "horloger-qualifie",
    },
    {
        "email": "formatrice-jury@cqp.test",
        "college": College.TRAINER,
        "company_name": "École d'horlogerie Charles Edouard Guillaume",
        "organisation": "École d'horlogerie Charles Edouard Guillaume",
        "certification": "horloger-qualifie",
    },
    {
        "email": "pro-lemaire@cqp.test",
        "college": College.PROFESSIONAL,
        "company_name": "Horlogerie Lemaire",
        "certification": "horloger-qualifie",
    },
    {
        "email": "pro-vasseur@cqp.test",
        "college": College.PROFESSIONAL,
        "company_name": "Montres Vasseur",
        "certification": "horloger-qualifie",
    },
]
EVALUATION_JURY = ("salarie@cqp.test", "jury@cqp.test", "formateur@cqp.test")
EVALUATION_PRESIDENT = "jury@cqp.test"
CERTIFICATION_JURY = ("salarie2@cqp.test", "employeur@cqp.test", "president@cqp.test")
CERTIFICATION_PRESIDENT = "president@cqp.test"


def user_of(member: JuryMember | None) -> User:
    """The account of a demo jury member (every one has theirs: the demo creates it before registering them)."""
    if member is None or member.user is None:
        raise CommandError(f"Membre de jury sans compte : {member}.")
    return member.user


def president_of(jury: Jury) -> User:
    return user_of(jury.president)


def demo_jury_members(*, admin: User) -> dict[str, JuryMember]:
    """The demo jury members in the registry, approved, by e-mail. A member found withdrawn is approved again,
    as a demo user gets their roles back."""
    members = {}
    for spec in DEMO_JURY_MEMBERS:
        user = User.objects.get(email=spec["email"])
        member = JuryMember.objects.filter(user=user).first()
        if member is None:
            member = jury_services.jury_member_register(
                email=user.email,
                first_name=user.first_name,
                last_name=user.last_name,
                college=spec["college"],
                certifications=[Certification.objects.get(slug=spec.get("certification", POLISHING))],
                proposed_by=admin,
                company_name=spec["company_name"],
                organisation=organisation_named(spec.get("organisation")),
            )
            # The demo account already exists: its owner confirms, as they would from the e-mailed link.
            member = jury_services.jury_member_confirm(member=member, user=user)
        if member.status != MemberStatus.APPROVED:
            member = jury_services.jury_member_approve(member=member, approved_by=admin)
        members[user.email] = member
    return members


def demo_evaluation_jury(*, session: EvaluationSession, admin: User, members: dict[str, JuryMember]) -> Jury:
    """The session's evaluation jury, composed and presided by Marc Petit; left as it is when it exists."""
    jury = Jury.objects.filter(session=session).select_related("president__user").first()
    if jury is not None:
        return jury
    jury = jury_services.evaluation_jury_create(session=session, created_by=admin)
    return compose(jury, EVALUATION_JURY, EVALUATION_PRESIDENT, admin=admin, members=members)


def demo_certification_jury(
    *, version: CertificationVersion, meets_on: dt.date, admin: User, members: dict[str, JuryMember]
) -> Jury:
    jury = jury_services.certification_jury_create(version=version, meets_on=meets_on, created_by=admin)
    return compose(jury, CERTIFICATION_JURY, CERTIFICATION_PRESIDENT, admin=admin, members=members)


def compose(
    jury: Jury, emails: tuple[str, ...], president: str, *, admin: User, members: dict[str, JuryMember]
) -> Jury:
    """Seat the demo members of `emails` on `jury` and designate `president`, through the services."""
    for email in emails:
        jury_services.jury_assign(jury=jury, member=members[email], assigned_by=admin)
    return jury_services.jury_president_designate(jury=jury, member=members[president], designated_by=admin)
