from __future__ import annotations

from django.urls import path

from evaluations import views

app_name = "evaluations"

urlpatterns = [
    path("", views.session_list, name="list"),
    path("nouvelle/", views.session_create, name="create"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/candidats/", views.session_add_candidate, name="add_candidate"),
    path("<int:pk>/convoquer/", views.session_convoke, name="convoke"),
    path("<int:pk>/derogation/", views.session_override, name="override"),
    path("convocations/<int:pk>/calendrier.ics", views.convocation_calendar, name="calendar"),
]
