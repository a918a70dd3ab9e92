"""Types shared by the views: the request of a signed-in user."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request past `LoginRequiredMiddleware`: every view not marked `login_not_required` gets one, so its
    user is a `User`, never `AnonymousUser`. Used as an annotation only; Django builds the request."""

    user: User
