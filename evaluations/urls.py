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
    path("<int:pk>/emargement/", views.attendance_sheet, name="attendance"),
    path("<int:pk>/emargement.pdf", views.attendance_pdf, name="attendance_pdf"),
    path("<int:pk>/incidents/", views.incident_create, name="incident"),
    path("places/<int:pk>/identite/", views.attendance_identity, name="identity"),
    path("places/<int:pk>/emarger/", views.attendance_sign, name="sign"),
    path("places/<int:pk>/absent/", views.attendance_absent, name="absent"),
]
