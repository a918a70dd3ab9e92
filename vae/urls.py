from __future__ import annotations

from django.urls import path

from vae import views

app_name = "vae"

urlpatterns = [
    path("", views.file_list, name="list"),
    path("mes-dossiers/", views.my_files, name="mine"),
    path("mes-dossiers/nouveau/", views.file_create, name="create"),
    path("<int:pk>/", views.file_detail, name="detail"),
    path("<int:pk>/modifier/", views.file_edit, name="edit"),
    path("<int:pk>/pieces/", views.document_add, name="document_add"),
    path("<int:pk>/transmettre/", views.file_submit, name="submit"),
    path("<int:pk>/declaratif/", views.declarative_add, name="declarative_add"),
    path("<int:pk>/declaratif/transmettre/", views.declarative_submit, name="declarative_submit"),
    path("<int:pk>/decider/", views.file_decide, name="decide"),
    path("<int:pk>/positionnement/", views.positioning, name="positioning"),
    path("documents/<int:pk>/", views.document_download, name="document"),
]
