"""Read-only views for certifier admins: juries, grids, decisions and the audit trail are written through
services (the composition, impartiality and locking rules live there), never edited here."""

from __future__ import annotations

from django.contrib import admin

from cqp.admin import ReadOnlyAdmin, ReadOnlyInline
from juries.models import AuditEntry, Decision, Grade, Grid, Jury, JuryMember, JurySeat, Recommendation, Recusal


@admin.register(JuryMember)
class JuryMemberAdmin(ReadOnlyAdmin):
    # The names and address typed at the proposal: a member waiting for their owner's confirmation has no account.
    list_display = ["last_name", "first_name", "email", "user", "college", "company_name", "organisation", "status"]
    list_filter = ["status", "college"]
    search_fields = ["last_name", "first_name", "email", "user__last_name", "user__email", "company_name"]


class SeatInline(ReadOnlyInline):
    model = JurySeat
    fields = ["member", "college", "internal", "assigned_by", "assigned_at"]


class RecusalInline(ReadOnlyInline):
    model = Recusal
    fields = ["member", "place", "reason", "note", "recorded_at"]


@admin.register(Jury)
class JuryAdmin(ReadOnlyAdmin):
    list_display = ["meets_on", "kind", "version", "session", "president", "transmitted_at"]
    # No date hierarchy: it computes the following year of the one asked for (`?meets_on__year=9999` was a 500).
    list_filter = ["kind", "version", "meets_on"]
    inlines = [SeatInline, RecusalInline]


class GradeInline(ReadOnlyInline):
    model = Grade
    fields = ["competency", "value", "comment"]


@admin.register(Grid)
class GridAdmin(ReadOnlyAdmin):
    list_display = ["place", "block", "member", "status", "submitted_at"]
    list_filter = ["status", "jury"]
    inlines = [GradeInline]


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    list_display = ["place", "kind", "recorded_by", "recorded_at"]
    list_filter = ["kind"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["place", "jury", "kind", "decided_by", "decided_at"]
    list_filter = ["kind", "jury"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "candidate", "action", "subject", "actor"]
    list_filter = ["action", "at"]
    search_fields = ["candidate__birth_name", "subject"]
