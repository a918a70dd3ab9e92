"""Authentication by e-mail, and permissions that follow roles rather than per-user grants."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class RoleBackend(ModelBackend):
    """Certifier admins hold every model permission (they run the Django admin); nobody else
    holds any, so access rules live in each app's `access.py`, not in scattered grants."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return bool(user_obj.is_active and getattr(user_obj, "is_certifier_admin", False))

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return bool(user_obj.is_active and getattr(user_obj, "is_certifier_admin", False))

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        # E-mail addresses are stored lower-case; people type them as they like.
        if username is not None:
            username = username.strip().lower()
        if isinstance(kwargs.get("email"), str):
            kwargs["email"] = kwargs["email"].strip().lower()
        return super().authenticate(request, username=username, password=password, **kwargs)
