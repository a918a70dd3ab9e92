"""Read-only views for certifier admins: candidates, enrolments and bans are written through services."""

from __future__ import annotations

from django.contrib import admin

from candidates.models import Candidate, Enrolment, FraudBan
from cqp.admin import ReadOnlyAdmin


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdmin):
    list_display = ["birth_name", "usage_name", "first_name", "birth_date", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["birth_name", "usage_name", "first_name", "email"]
    exclude = ["identity_key"]


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "version", "access_route", "status", "created_at"]
    list_filter = ["version", "status", "access_route"]


@admin.register(FraudBan)
class FraudBanAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "decided_on", "ends_on", "recorded_by"]
    search_fields = ["candidate__birth_name"]
