from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.models import Role


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    held = user.roles if user is not None and user.is_authenticated else []
    return {"user_roles": held, "Role": Role}
