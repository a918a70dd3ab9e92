"""Home page per role, and the login/password pages (Django's, with French templates)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone

from accounts import todo
from accounts.forms import LoginForm, QueuedPasswordResetForm
from accounts.types import AuthenticatedHttpRequest
from candidates.selectors import candidate_space
from certificates.selectors import candidate_results
from cqp import selectors
from juries.views import jury_home
from results.appeals.selectors import candidate_appeals


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"certifications": selectors.certification_list(request.user)}
    if request.user.is_candidate:
        context.update(candidate_space(request.user))
        context["my_results"] = candidate_results(request.user)
        context["my_appeals"] = candidate_appeals(request.user)
    if request.user.is_jury_member:
        context.update(jury_home(request.user))
    # « À faire »: each role's to-do list (aggregate counts; the jury member's and the candidate's are read from
    # what is above).
    context["todo_lists"] = todo.home_todo(request.user, context, timezone.localdate())
    return render(request, "accounts/home.html", context)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
