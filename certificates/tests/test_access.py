"""The PV's getter and signature (`certificates.access`, `pv_sign`): a member of the certification jury whose
habilitation was withdrawn reads and signs nothing any more (404 on the page, PermissionDenied from the service),
as `juries.rules.sits` says for the jury's own pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from certificates import services
from certificates.models import PvSignature
from certificates.tests.conftest import Decided
from juries.models import JuryMember, MemberStatus

pytestmark = pytest.mark.django_db


def withdrawn_member(decided: Decided) -> JuryMember:
    seat = decided.certification.seats.select_related("member__user").first()
    assert seat is not None
    JuryMember.objects.filter(pk=seat.member_id).update(status=MemberStatus.WITHDRAWN)
    return seat.member


def test_a_withdrawn_member_no_longer_opens_the_pv(client, decided: Decided) -> None:
    member = withdrawn_member(decided)
    client.force_login(member.user)
    for name in ("certificates:pv", "certificates:pv_pdf"):
        assert client.get(reverse(name, args=[decided.certification.pk])).status_code == 404, name
    assert client.post(reverse("certificates:pv_sign", args=[decided.certification.pk])).status_code == 404


def test_a_withdrawn_member_cannot_sign_through_the_service(decided: Decided) -> None:
    member = withdrawn_member(decided)
    with pytest.raises(PermissionDenied, match="Seuls les membres du jury de certification"):
        services.pv_sign(jury=decided.certification, user=member.user)
    assert not PvSignature.objects.exists()


def test_a_member_withdrawn_after_the_deliberation_is_not_waited_for(client, decided: Decided) -> None:
    """The jury's composition no longer changes once it has decided: a member withdrawn since would otherwise
    hold the PV (and every result of the jury) unsigned for ever. The others sign it; the page says why that
    member's signature is not awaited."""
    from certificates.models import ProcesVerbal, PvStatus

    member = withdrawn_member(decided)
    others = [s.member.user for s in decided.certification.seats.select_related("member__user") if s.member != member]
    for user in others:
        services.pv_sign(jury=decided.certification, user=user)
    assert ProcesVerbal.objects.get(jury=decided.certification).status == PvStatus.SIGNED
    client.force_login(decided.world.admin)
    page = client.get(reverse("certificates:pv", args=[decided.certification.pk])).content.decode()
    assert "habilitation retirée : sa signature n'est plus attendue" in page
