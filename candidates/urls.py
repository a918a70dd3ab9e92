from __future__ import annotations

from django.urls import path

from candidates import views

app_name = "candidates"

urlpatterns = [
    path("", views.candidate_list, name="list"),
    path("nouveau/", views.candidate_create, name="create"),
    path("import/", views.candidate_import, name="import"),
    path("import/confirmer/", views.candidate_import_confirm, name="import_confirm"),
    path("<int:pk>/", views.candidate_detail, name="detail"),
    path("<int:pk>/modifier/", views.candidate_edit, name="edit"),
    path("<int:pk>/inscrire/", views.candidate_enrol, name="enrol"),
    path("<int:pk>/inviter/", views.candidate_invite, name="invite"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("inscriptions/<int:pk>/amenagement/", views.accommodation_add, name="accommodation_add"),
    path("<int:pk>/documents/deposer/", views.document_upload, name="document_upload"),
    path("mes-documents/deposer/", views.my_document_upload, name="my_document_upload"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
]
