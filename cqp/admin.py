"""Django admin for certifier admins. The referential is read-only here: its changes go through the
app's pages and `cqp.services`, which freeze the rules of a version in use."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cqp.models import Block, Certification, CertificationVersion, Certifier, Competency, TrainingOrganisation

admin.site.unregister(Group)  # roles live on the user, groups are not used


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin[Any]):
    pass


class PrivatePdfMixin:
    """A private PDF shown by its name: its storage gives no address (the app's pages serve it after checking
    access), so the admin's link to the file would fail the whole page. With `exclude = ["pdf"]` and
    `readonly_fields = ["pdf_name"]`."""

    @admin.display(description=_("fichier PDF"))
    def pdf_name(self, obj: Any) -> str:
        return str(obj.pdf.name) or "—"


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline[Any, Any]):
    extra = 0

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        """Every listed field is shown, none edited: a non-editable one (a date stamped on creation) cannot even
        be given to the inline's form, which would fail the whole page."""
        return [*super().get_readonly_fields(request, obj), *(self.fields or ())]


class CompetencyInline(ReadOnlyInline):
    model = Competency
    fields = ["code", "label", "label_is_draft", "order", "is_mandatory"]


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "version", "threshold_percent"]
    list_filter = ["version__certification"]
    inlines = [CompetencyInline]


class BlockInline(ReadOnlyInline):
    model = Block
    fields = ["code", "rncp_code", "title", "order", "threshold_percent"]
    show_change_link = True


@admin.register(CertificationVersion)
class CertificationVersionAdmin(ReadOnlyAdmin):
    list_display = ["rncp_code", "short_title", "number", "status", "certifier"]
    list_filter = ["status", "certifier"]
    search_fields = ["rncp_code", "title"]
    inlines = [BlockInline]


@admin.register(Certification)
class CertificationAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug"]


@admin.register(Certifier)
class CertifierAdmin(admin.ModelAdmin[Certifier]):
    list_display = ["name", "legal_name", "delegate_name"]


@admin.register(TrainingOrganisation)
class TrainingOrganisationAdmin(admin.ModelAdmin[TrainingOrganisation]):
    list_display = ["name", "city", "department", "approval_status", "approval_start", "approval_end"]
    search_fields = ["name", "city"]
    # The approval gates session scheduling: it changes only through `organisation_approve` / `_withdraw`
    # (the organisations page), which audit who changed it and why.
    readonly_fields = ["approval_status", "approval_start", "approval_end"]
