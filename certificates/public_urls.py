"""Public pages: anyone may check a parchment without logging in (rate-limited)."""

from __future__ import annotations

from django.urls import path

from certificates import views

app_name = "verify"

urlpatterns = [
    path("", views.verify, name="form"),
    path("<str:code>/", views.verify_code, name="code"),
]
