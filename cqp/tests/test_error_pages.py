"""French error pages in every configuration: with DEBUG on (as `make run` serves) a missing page, a bad request
and an error in a view answer the project's French 404/400/500 pages, not Django's English technical pages
(cqp.middleware.FrenchErrorPagesMiddleware); 403 is French everywhere."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from cqp import urls as project_urls


@login_not_required
def _missing(request: HttpRequest) -> HttpResponse:
    raise Http404("No Candidate matches the given query.")


@login_not_required
def _bad(request: HttpRequest) -> HttpResponse:
    raise BadRequest("malformed")


@login_not_required
def _suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("tampered")


@login_not_required
def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("Réservé aux administrateurs du certificateur.")


@login_not_required
def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [
    *project_urls.urlpatterns,
    path("essai/introuvable/", _missing),
    path("essai/incorrecte/", _bad),
    path("essai/suspecte/", _suspicious),
    path("essai/interdite/", _forbidden),
    path("essai/erreur/", _boom),
]
handler500 = project_urls.handler500

ENGLISH = ("Page not found", "Using the URLconf", "Traceback", "Django tried", "Request Method")


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    settings.ROOT_URLCONF = __name__
    return request.param


def _french(response, status: int, *words: str) -> str:
    assert response.status_code == status
    body = response.content.decode()
    for word in words:
        assert word in body
    for english in ENGLISH:
        assert english not in body
    return body


@pytest.mark.django_db
def test_a_missing_address_answers_the_french_404(client, debug) -> None:
    body = _french(client.get("/nulle-part/"), 404, "Page introuvable", "Retour à l'accueil")
    assert 'lang="fr"' in body


@pytest.mark.django_db
def test_an_object_not_found_in_a_view_answers_the_french_404(client, debug, certifier_admin) -> None:
    client.force_login(certifier_admin)
    _french(client.get("/essai/introuvable/"), 404, "Page introuvable")
    _french(client.get("/candidats/987654/"), 404, "Page introuvable")


@pytest.mark.django_db
def test_a_bad_request_answers_the_french_400(client, debug, caplog) -> None:
    _french(client.get("/essai/incorrecte/"), 400, "Demande incorrecte")
    with caplog.at_level(logging.ERROR, logger="django.security"):
        _french(client.get("/essai/suspecte/"), 400, "Demande incorrecte")
    assert any(record.name == "django.security.SuspiciousOperation" for record in caplog.records)


@pytest.mark.django_db
def test_a_refusal_answers_the_french_403_with_its_reason(client, debug) -> None:
    _french(client.get("/essai/interdite/"), 403, "Accès refusé", "Réservé aux administrateurs du certificateur.")


@pytest.mark.django_db
def test_an_error_in_a_view_answers_the_french_500_and_logs_its_traceback(debug, caplog) -> None:
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        _french(client.get("/essai/erreur/"), 500, "Une erreur est survenue")
    assert any(record.exc_info and record.exc_info[0] is RuntimeError for record in caplog.records)


@pytest.mark.django_db
def test_the_missing_slash_still_redirects_and_pages_still_answer(client, debug) -> None:
    response = client.get("/compte/connexion")
    assert (response.status_code, response["Location"]) == (301, "/compte/connexion/")
    assert client.get("/compte/connexion/").status_code == 200
