"""Read-only views for certifier admins: PVs, validations and parchments change only through services (the
numbering, locking and cancellation rules live there)."""

from __future__ import annotations

from django.contrib import admin

from certificates.models import CpnefpValidation, NumberSeries, Parchment, ParchmentVersion, ProcesVerbal, PvSignature
from cqp.admin import PrivatePdfMixin, ReadOnlyAdmin, ReadOnlyInline


class SignatureInline(ReadOnlyInline):
    model = PvSignature
    fields = ["member", "user", "content_sha256", "signed_at"]


@admin.register(ProcesVerbal)
class ProcesVerbalAdmin(PrivatePdfMixin, ReadOnlyAdmin):
    list_display = ["jury", "status", "signed_at", "render_status"]
    list_filter = ["status"]
    exclude = ["pdf"]
    readonly_fields = ["pdf_name"]
    inlines = [SignatureInline]


@admin.register(CpnefpValidation)
class CpnefpValidationAdmin(ReadOnlyAdmin):
    list_display = ["jury", "meeting_on", "recorded_by"]


@admin.register(NumberSeries)
class NumberSeriesAdmin(ReadOnlyAdmin):
    list_display = ["certifier", "prefix", "next_number"]


class VersionInline(ReadOnlyInline):
    model = ParchmentVersion
    fields = ["version", "reason", "pdf_sha256", "rendered_at"]


@admin.register(Parchment)
class ParchmentAdmin(PrivatePdfMixin, ReadOnlyAdmin):
    list_display = ["number", "certifier", "kind", "status", "render_status", "version", "issued_at", "sent_at"]
    list_filter = ["status", "kind", "render_status", "certifier"]
    search_fields = ["verification_code", "mentions__holder__name"]
    exclude = ["pdf"]
    readonly_fields = ["pdf_name"]
    inlines = [VersionInline]
