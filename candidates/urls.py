from __future__ import annotations

from django.urls import path

from candidates import views

app_name = "candidates"

urlpatterns = [
    path("", views.candidate_list, name="list"),
    path("nouveau/", views.candidate_create, name="create"),
    path("<int:pk>/", views.candidate_detail, name="detail"),
    path("<int:pk>/modifier/", views.candidate_edit, name="edit"),
    path("<int:pk>/inscrire/", views.candidate_enrol, name="enrol"),
]
