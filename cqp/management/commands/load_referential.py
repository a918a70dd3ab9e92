"""Load the branch's referential (certifiers, organisations, certifications). Idempotent: what
exists already is left as it is, so edits made by certifier admins survive a new run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from cqp import services
from cqp.block_tests import block_test_load
from cqp.models import Certification, CertificationVersion, Certifier, VersionStatus
from cqp.referential_data import CERTIFIERS, ORGANISATIONS, VERSIONS, VersionData
from juries import rule_sets


class Command(BaseCommand):
    help = "Charge le référentiel de la branche (RNCP 31313, 26850, 26849, 31394) ; sans effet sur l'existant."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            for data in CERTIFIERS:
                _certifier, created = services.certifier_get_or_create(
                    name=data.name,
                    legal_name=data.legal_name,
                    delegate_name=data.delegate_name,
                    address=data.address,
                    signatory_title=data.signatory_title,
                    city=data.city,
                )
                self._report(f"Certificateur {data.name}", created)
            for org in ORGANISATIONS:
                _org, created = services.organisation_get_or_create(
                    name=org.name, city=org.city, department=org.department
                )
                self._report(f"Organisme {org.name}", created)
            for version in VERSIONS:
                self._load_version(version)
            # Each version's jury composition rules (31313's from its fiche, 26850's elsewhere), where missing.
            for loaded in CertificationVersion.objects.filter(certification__slug__in=[v.slug for v in VERSIONS]):
                if rule_sets.referential_load(loaded):
                    self.stdout.write(self.style.SUCCESS(f"Règles des jurys {loaded} : chargées"))

    def _report(self, what: str, created: bool) -> None:
        if created:
            self.stdout.write(self.style.SUCCESS(f"{what} : créé"))
        else:
            self.stdout.write(f"{what} : déjà présent, laissé tel quel")

    def _load_version(self, data: VersionData) -> None:
        label = f"RNCP {data.rncp_code.removeprefix('RNCP')} {data.short_title}"
        if Certification.objects.filter(slug=data.slug).exists():
            self.stdout.write(f"{label} : déjà présente, laissée telle quelle")
            return
        version = services.certification_create(
            slug=data.slug,
            name=data.name,
            certifier=Certifier.objects.get(name=data.certifier),
            rncp_code=data.rncp_code,
            title=data.title,
            short_title=data.short_title,
            level=data.level,
            eu_level=data.eu_level,
            nsf_codes=list(data.nsf_codes),
            decision_date=data.decision_date,
            decision_reference=data.decision_reference,
            registration_start=data.registration_start,
            registration_end=data.registration_end,
            partial_award_allowed=data.partial_award_allowed,
            block_validity_years=data.block_validity_years,
            access_routes=list(data.access_routes),
            prerequisites_required=data.prerequisites_required,
            prerequisites=data.prerequisites,
            evaluation_methods=data.evaluation_methods,
            exam_minutes=data.exam_minutes,
            to_verify=data.to_verify,
        )
        competencies = 0
        for order, block_data in enumerate(data.blocks, start=1):
            block = services.block_create(
                version=version,
                code=block_data.code,
                rncp_code=block_data.rncp_code,
                title=block_data.title,
                title_is_draft=block_data.title_is_draft,
                order=order,
                threshold_percent=block_data.threshold_percent,
                evaluation_methods=block_data.evaluation_methods,
            )
            for position, comp in enumerate(block_data.competencies, start=1):
                services.competency_create(
                    block=block,
                    code=comp.code,
                    label=comp.label,
                    label_is_draft=comp.draft,
                    order=position,
                    is_mandatory=comp.mandatory,
                )
                competencies += 1
            for position, test in enumerate(block_data.tests, start=1):
                block_test_load(
                    block=block,
                    order=position,
                    method=test.method,
                    title=test.title,
                    duration_minutes=test.duration_minutes,
                    document_required=bool(test.document_label),
                    document_label=test.document_label,
                )
        if data.status == VersionStatus.PUBLISHED:
            services.version_publish(version=version)
        self.stdout.write(
            self.style.SUCCESS(
                f"{label} : créée ({len(data.blocks)} blocs, {competencies} compétences, "
                f"{version.get_status_display().lower()})"
            )
        )
