"""Authentication by e-mail, and permissions that follow roles rather than per-user grants."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """Refuses every login of a locked account or address (accounts/lockout.py) before any password is checked.

    A login from the web always comes with its request. One without (`authenticate()` from code: a management
    command, a test's `client.login`) has no client address to count, so it is not throttled."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


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
