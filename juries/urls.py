from __future__ import annotations

from django.urls import path

from juries import views, views_flags

app_name = "juries"

urlpatterns = [
    path("", views.jury_list, name="list"),
    path("certification/nouveau/", views.certification_jury_create, name="create_certification"),
    path("sessions/<int:session_pk>/jury/", views.evaluation_jury_create, name="create_evaluation"),
    path("membres/", views.member_list, name="members"),
    path("membres/nouveau/", views.member_create, name="member_create"),
    path("membres/<int:pk>/habiliter/", views.member_approve, name="member_approve"),
    path("membres/<int:pk>/retirer/", views.member_withdraw, name="member_withdraw"),
    path("membres/<int:pk>/invitation/", views.member_activation, name="member_activation"),
    path("invitation/<str:token>/", views.member_invitation, name="member_invitation"),
    path("<int:pk>/", views.jury_detail, name="detail"),
    path("<int:pk>/membres/", views.jury_assign, name="assign"),
    path("<int:pk>/membres/retirer/", views.jury_unassign, name="unassign"),
    path("<int:pk>/president/", views.jury_president, name="president"),
    path("<int:pk>/deport/", views.conflict_declare, name="declare"),
    path("<int:pk>/candidats/<int:place_pk>/grille/", views.grid_entry, name="grid"),
    path("<int:pk>/candidats/<int:place_pk>/statut/", views.grid_status, name="grid_status"),
    path("<int:pk>/candidats/<int:place_pk>/preconisation/", views.recommendation_record, name="recommendation"),
    path("<int:pk>/grilles/<int:grid_pk>/rouvrir/", views.grid_reopen, name="grid_reopen"),
    path("<int:pk>/deliberation/", views.deliberation, name="deliberation"),
    path("<int:pk>/deliberation.xlsx", views.deliberation_xlsx, name="deliberation_xlsx"),
    path("<int:pk>/deliberation.pdf", views.deliberation_pdf, name="deliberation_pdf"),
    path("<int:pk>/transmettre/", views.deliberation_transmit, name="transmit"),
    path("<int:pk>/candidats/<int:place_pk>/decision/", views.decision_page, name="decision"),
    path("<int:pk>/candidats/<int:place_pk>/litige/", views.dispute_create, name="dispute"),
    path("<int:pk>/litiges/<int:dispute_pk>/clore/", views.dispute_resolve, name="dispute_resolve"),
    path("historique/<int:candidate_pk>/", views.candidate_history, name="history"),
    path("regles/version/<int:version_pk>/", views.version_rules, name="version_rules"),
]
urlpatterns += views_flags.urlpatterns
