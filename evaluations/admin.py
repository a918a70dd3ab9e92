"""Read-only views for certifier admins: sessions, places and incidents are written through services."""

from __future__ import annotations

from django.contrib import admin

from cqp.admin import ReadOnlyAdmin, ReadOnlyInline
from evaluations.models import EvaluationSession, Incident, SessionCandidate


class PlaceInline(ReadOnlyInline):
    model = SessionCandidate
    fields = ["enrolment", "starts_at", "ends_at", "convocation_status", "attendance", "signed_at"]


@admin.register(EvaluationSession)
class EvaluationSessionAdmin(ReadOnlyAdmin):
    list_display = ["starts_on", "version", "organisation", "mode"]
    list_filter = ["organisation", "version", "mode"]
    date_hierarchy = "starts_on"
    inlines = [PlaceInline]


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["reported_at", "kind", "session", "place", "reported_by"]
    list_filter = ["kind", "session__organisation"]
    search_fields = ["description"]
