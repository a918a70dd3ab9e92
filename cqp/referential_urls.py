from __future__ import annotations

from django.urls import path

from cqp import rncp_views, views

app_name = "cqp"

urlpatterns = [
    path("", views.certification_list, name="certification_list"),
    path("nouvelle/", views.certification_create, name="certification_create"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:pk>/modifier/", views.version_edit, name="version_edit"),
    path("versions/<int:pk>/publier/", views.version_publish, name="version_publish"),
    path("versions/<int:pk>/archiver/", views.version_archive, name="version_archive"),
    path("versions/<int:pk>/nouvelle-version/", views.version_new, name="version_new"),
    path("versions/<int:pk>/blocs/nouveau/", views.block_create, name="block_create"),
    path("blocs/<int:pk>/modifier/", views.block_edit, name="block_edit"),
    path("blocs/<int:pk>/supprimer/", views.block_delete, name="block_delete"),
    path("blocs/<int:pk>/competences/nouvelle/", views.competency_create, name="competency_create"),
    path("competences/<int:pk>/modifier/", views.competency_edit, name="competency_edit"),
    path("competences/<int:pk>/supprimer/", views.competency_delete, name="competency_delete"),
    path("rncp/importer/", rncp_views.rncp_upload, name="rncp_upload"),
    path("rncp/importer/fiche/", rncp_views.rncp_preview, name="rncp_preview"),
]

# The tests (épreuves) of a block.
urlpatterns += [
    path("blocs/<int:pk>/epreuves/nouvelle/", views.block_test_create, name="block_test_create"),
    path("epreuves/<int:pk>/modifier/", views.block_test_edit, name="block_test_edit"),
    path("epreuves/<int:pk>/supprimer/", views.block_test_delete, name="block_test_delete"),
]
