from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.forms import ModelForm
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import AuditEvent, User
from accounts.selectors import audit_trail
from cqp.admin import ReadOnlyAdmin


class UserAdminCreationForm(AdminUserCreationForm[User]):
    class Meta:
        model = User
        fields = ("email",)


class UserAdminChangeForm(UserChangeForm[User]):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
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
        (_("Historique"), {"fields": ("history",)}),
    )
    readonly_fields = ("history",)
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),)
    filter_horizontal = ()

    @admin.display(description=_("changements de rôles"))
    def history(self, obj: User) -> SafeString:
        return render_to_string("includes/audit_trail.html", {"events": audit_trail(obj)})

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool) -> None:
        """Role changes go through `user_set_roles`, so they are audited like anywhere else."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        stored = User.objects.get(pk=obj.pk)
        roles: dict[str, Any] = {field: getattr(obj, field) for field in ROLE_FIELDS}
        for field in ROLE_FIELDS:
            setattr(obj, field, getattr(stored, field))
        super().save_model(request, obj, form, change)
        actor = request.user if isinstance(request.user, User) else None
        services.user_set_roles(user=obj, actor=actor, reason=gettext("Modifié dans l'administration Django"), **roles)


ROLE_FIELDS = ("is_certifier_admin", "organisation", "is_jury_member", "is_candidate")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Never edited nor deleted: the trail is written only by `accounts.services.audit_record`."""

    list_display = ["at", "action", "subject", "actor"]
    list_filter = ["action", "content_type"]
    search_fields = ["subject", "actor__email", "reason"]
    date_hierarchy = "at"
