from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, User
from cqp.admin import ReadOnlyAdmin


class UserAdminCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserAdminChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserAdminCreationForm
    form = UserAdminChangeForm
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "is_certifier_admin",
        "organisation",
        "is_jury_member",
        "is_candidate",
        "is_active",
    ]
    list_filter = ["is_certifier_admin", "is_jury_member", "is_candidate", "is_active", "organisation"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name")}),
        (_("Rôles"), {"fields": ("is_certifier_admin", "organisation", "is_jury_member", "is_candidate")}),
        (_("Statut"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),)
    filter_horizontal: tuple[str, ...] = ()


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Never edited nor deleted: the trail is written only by `accounts.services.audit_record`."""

    list_display = ["at", "action", "subject", "actor"]
    list_filter = ["action", "content_type"]
    search_fields = ["subject", "actor__email", "reason"]
    date_hierarchy = "at"
