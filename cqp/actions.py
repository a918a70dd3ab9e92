"""The one way a view runs the service behind a POST action and reports a refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

Result = TypeVar("Result")


def run_action(request: HttpRequest, action: Callable[[], Result], *, success: str | None = None) -> Result | None:
    """Run `action`. A refusal (ValidationError) becomes error messages and None is returned; otherwise
    `success`, when given, is shown and the service's result returned. A refused actor (PermissionDenied, raised
    by the role gates of `accounts.access`) is not a form error: it goes through, and Django answers 403."""
    try:
        result = action()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return None
    if success is not None:
        messages.success(request, success)
    return result
