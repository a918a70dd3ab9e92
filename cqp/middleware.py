"""Defence in depth on every response: the Content-Security-Policy, no cache for a logged-in user's pages,
sessions that end when left idle, and SQLite's "database is locked" answered as "busy, retry" rather than a 500."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core import signals
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import Resolver404, get_resolver, get_urlconf, resolve
from django.utils.log import log_response as _django_log_response
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import defaults

GetResponse = Callable[[HttpRequest], HttpResponseBase]
# Django's response logger (its stubs miss the `exception` argument, which logs the traceback).
log_response: Callable[..., None] = _django_log_response
ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])

# Session keys: when the user logged in, and when they were last seen (Unix seconds).
LOGIN_AT = "cqp_login_at"
SEEN_AT = "cqp_seen_at"
# The last-seen stamp is written at most once a minute: a session save on every request would cost a write each.
SEEN_GRANULARITY = 60
# Seconds a client is asked to wait before retrying when the database is busy.
BUSY_RETRY_AFTER = 5


def declared_length(request: HttpRequest) -> int:
    """The body's length as its Content-Length header declares it (0 when absent or unreadable)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


Refusal = Callable[[Any, int], HttpResponseBase]  # (request, declared length), called for a signed-in user only


def max_body(limit: int, refuse: Refusal | None = None) -> Callable[[ViewFunc], ViewFunc]:
    """A view that takes at most `limit` bytes of body (an upload): a larger one is refused from its declared
    length before the CSRF check parses it, by `refuse(request, declared)` (the view's own page, which reads
    nothing of the body) or a French 413. Put it above the other decorators."""

    def decorate(view: ViewFunc) -> ViewFunc:
        view.max_body_bytes = limit  # type: ignore[attr-defined]
        view.refuse_too_large = refuse  # type: ignore[attr-defined]
        return view

    return decorate


class RequestSizeMiddleware:
    """A request body larger than `MAX_REQUEST_BYTES`, or than its view's `max_body`, is refused from its declared
    Content-Length before anything reads it: the CSRF check would otherwise parse the whole multipart body before
    a view could look at its size. The largest legitimate body is a 20 MB document with its form."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        declared = declared_length(request)
        if declared > settings.MAX_REQUEST_BYTES and declared > self._view_limit(request):
            return _too_large(settings.MAX_REQUEST_BYTES)
        return self.get_response(request)

    @staticmethod
    def _view_limit(request: HttpRequest) -> int:
        """The `max_body` of the view the path leads to (e.g. the RNCP export upload, up to 1 GB, streamed to a
        file), else 0: only a view that says so takes more than `MAX_REQUEST_BYTES`."""
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return 0
        return int(getattr(match.func, "max_body_bytes", 0) or 0)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        # Listed before the CSRF middleware: its process_view runs first, before the body is parsed.
        limit = getattr(view_func, "max_body_bytes", None)
        declared = declared_length(request)
        if limit is None or declared <= limit:
            return None
        refuse = getattr(view_func, "refuse_too_large", None)
        # The view's own refusal only for a signed-in user (the login requirement runs after this).
        if refuse is not None and request.user.is_authenticated:
            response: HttpResponseBase = refuse(request, declared)
            return response
        return _too_large(limit)


def _too_large(limit: int) -> HttpResponse:
    message = _(
        "Envoi refusé : %(limit)d Mo au plus par envoi. "
        "Réduisez le fichier (PDF compressé, image moins lourde) et recommencez."
    ) % {"limit": max(1, limit // (1024 * 1024))}
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8", headers={"Connection": "close"})


class ContentSecurityPolicyMiddleware:
    """Every response carries `CONTENT_SECURITY_POLICY` (Django 5.2 has none built in): no inline script or
    style, nothing from another site, no framing. A view that needs another policy sets its own header."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class PrivateCacheMiddleware:
    """What a logged-in user sees is theirs: no browser or proxy keeps a copy (the back button after a logout,
    a shared computer, a caching proxy). Public static files are served before this runs and keep their cache."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.user.is_authenticated and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "private, no-store"
        return response


class SessionTimeoutMiddleware:
    """Logs out a session idle for more than `SESSION_IDLE_TIMEOUT` seconds, or opened more than
    `SESSION_COOKIE_AGE` seconds ago whatever its activity, then lets the login requirement send the visitor
    to the login page with a message saying why."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        now = int(time.time())
        session = request.session
        login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
        if not isinstance(login_at, int) or not isinstance(seen_at, int):
            # Stamped at every login (`stamp_login`): a session without stamps was not opened by a login of this
            # version; its age is unknown, so it ends.
            self._end(request, _("Votre session a expiré : reconnectez-vous."))
            return
        idle_for = now - seen_at
        if idle_for > settings.SESSION_IDLE_TIMEOUT:
            minutes = max(1, settings.SESSION_IDLE_TIMEOUT // 60)
            message = ngettext(
                "Votre session a été fermée après %(count)d minute d'inactivité : reconnectez-vous.",
                "Votre session a été fermée après %(count)d minutes d'inactivité : reconnectez-vous.",
                minutes,
            )
            self._end(request, message % {"count": minutes})
        elif now - login_at > settings.SESSION_COOKIE_AGE:
            hours = max(1, settings.SESSION_COOKIE_AGE // 3600)
            message = ngettext(
                "Votre session a été fermée %(count)d heure après la connexion : reconnectez-vous.",
                "Votre session a été fermée %(count)d heures après la connexion : reconnectez-vous.",
                hours,
            )
            self._end(request, message % {"count": hours})
        elif idle_for >= SEEN_GRANULARITY:
            session[LOGIN_AT] = login_at
            session[SEEN_AT] = now

    @staticmethod
    def _end(request: HttpRequest, message: str) -> None:
        logout(request)
        messages.info(request, message)


def stamp_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """`user_logged_in` receiver: a session's age and activity start at its login (connected in `cqp.apps`)."""
    if hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now


class DatabaseBusyMiddleware:
    """SQLite allows one writer at a time; a write that still finds the database locked after its timeout
    gets a French 503 page asking to retry (with Retry-After), never a server error. Nothing was written:
    the transaction rolled back."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not (isinstance(exception, OperationalError) and "database is locked" in str(exception)):
            return None
        response = render(request, "cqp/database_busy.html", {"retry_after": BUSY_RETRY_AFTER}, status=503)
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`: a "database is locked" raised outside a view (the session saved after the response) is the
    same "busy, retry" answer, as plain text: rendering a page could need the locked database again."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError) and "database is locked" in str(error):
        message = _(
            "Serveur momentanément occupé : rien n'a été enregistré pour cette demande. "
            "Patientez %(seconds)d secondes puis recommencez."
        ) % {"seconds": BUSY_RETRY_AFTER}
        return HttpResponse(
            message,
            status=503,
            content_type="text/plain; charset=utf-8",
            headers={"Retry-After": str(BUSY_RETRY_AFTER)},
        )
    return defaults.server_error(request)


class FrenchErrorPagesMiddleware:
    """The French error pages (templates/400.html, 403.html, 404.html, 500.html) with DEBUG on too, as `make run`
    serves: Django would answer its English technical pages there. A missing page answers 404.html, an
    unreadable request 400.html, an error in a view 500.html, its traceback in the console as always (403 is
    already French in every configuration). With DEBUG off it does nothing: Django's handlers answer the same
    pages. Listed before `DatabaseBusyMiddleware`, whose "busy, retry" answer comes first."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if settings.DEBUG:
            # An address no URL matches fails before any view, out of `process_exception`'s reach.
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as exc:
                return _error_page(request, 404, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        if not settings.DEBUG or isinstance(exception, PermissionDenied):
            return None
        if isinstance(exception, Http404):
            return _error_page(request, 404, exception)
        if isinstance(exception, BadRequest | SuspiciousOperation):
            if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
                # The body cannot be read again (Django does the same).
                request._mark_post_parse_error()  # type: ignore[attr-defined]
            response = _error_page(request, 400, exception)
            if isinstance(exception, SuspiciousOperation):
                log_response(
                    str(exception),
                    exception=exception,
                    request=request,
                    response=response,
                    level="error",
                    logger=logging.getLogger(f"django.security.{exception.__class__.__name__}"),
                )
            else:
                log_response("%s: %s", str(exception), request.path, response=response, request=request)
            return response
        # Any other error of a view: the French 500 page (handler500), the traceback logged to the console.
        signals.got_request_exception.send(sender=None, request=request)
        response = _error_page(request, 500, exception)
        log_response(
            "%s: %s", "Internal Server Error", request.path, response=response, request=request, exception=exception
        )
        return response


def _error_page(request: HttpRequest, status: int, exception: Exception) -> HttpResponseBase:
    """The project's handler for `status` (handler400/403/404/500 of the URLconf, else Django's, which render the
    templates/<status>.html pages)."""
    resolver = get_resolver(get_urlconf())
    handler: Callable[..., HttpResponseBase] = resolver.resolve_error_handler(status)
    response: HttpResponseBase = handler(request) if status == 500 else handler(request, exception=exception)
    return response
