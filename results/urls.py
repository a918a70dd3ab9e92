"""URLs of a result's life, one list per module (each module's own `urlpatterns`)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from results.views import addenda, appeals, prior, resits, revocation

app_name = "results"

urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns += appeals.urlpatterns
urlpatterns += prior.urlpatterns
urlpatterns += resits.urlpatterns
urlpatterns += addenda.urlpatterns
urlpatterns += revocation.urlpatterns
