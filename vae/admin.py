"""Read-only views for certifier admins: VAE files are written through `vae.services`."""

from __future__ import annotations

from django.contrib import admin

from cqp.admin import ReadOnlyAdmin
from vae.models import AdmissibilityDecision, AdmissibilityFile, Positioning, VaeDocument


@admin.register(AdmissibilityFile)
class AdmissibilityFileAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "version", "status", "submitted_at", "valid_until", "declarative_submitted_at"]
    list_filter = ["status"]
    list_select_related = ["candidate", "version"]


@admin.register(AdmissibilityDecision)
class AdmissibilityDecisionAdmin(ReadOnlyAdmin):
    list_display = ["file_of", "decision", "decided_at", "decided_by"]
    list_select_related = ["file_of__candidate", "file_of__version", "decided_by"]


@admin.register(VaeDocument)
class VaeDocumentAdmin(ReadOnlyAdmin):
    list_display = ["file_of", "kind", "original_name", "size", "uploaded_at"]
    list_select_related = ["file_of__candidate", "file_of__version"]
    exclude = ["file"]  # served only through the access-checked view


@admin.register(Positioning)
class PositioningAdmin(ReadOnlyAdmin):
    list_display = ["file_of", "block", "assessed", "recorded_by", "recorded_at"]
    list_select_related = ["file_of__candidate", "file_of__version", "block", "recorded_by"]
