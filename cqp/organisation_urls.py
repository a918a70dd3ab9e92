"""Training organisations' approval pages (certifier admins)."""

from __future__ import annotations

from django.urls import path

from cqp import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/habiliter/", views.organisation_approve, name="approve"),
    path("<int:pk>/retirer/", views.organisation_withdraw, name="withdraw"),
]
