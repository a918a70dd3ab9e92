from __future__ import annotations

from django.urls import path

from certificates import views

app_name = "certificates"

urlpatterns = [
    # Certifier and juries (login required).
    path("echeances/", views.deadlines, name="deadlines"),
    path("jurys/<int:jury_pk>/pv/", views.pv_detail, name="pv"),
    path("jurys/<int:jury_pk>/pv/signer/", views.pv_sign, name="pv_sign"),
    path("jurys/<int:jury_pk>/pv.pdf", views.pv_pdf, name="pv_pdf"),
    path("jurys/<int:jury_pk>/validation/", views.validation_record, name="validation"),
    path("jurys/<int:jury_pk>/parchemins/", views.jury_parchments, name="jury_parchments"),
    path("jurys/<int:jury_pk>/parchemins/editer/", views.parchments_issue, name="issue"),
    path("jurys/<int:jury_pk>/parchemins.zip", views.parchments_zip, name="zip"),
    path("jurys/<int:jury_pk>/rendus/relancer/", views.renders_resume, name="resume"),
    path("lots/<int:batch_pk>/avancement/", views.batch_progress, name="batch_progress"),
    path("parchemins/<int:pk>/", views.parchment_detail, name="parchment"),
    path("parchemins/<int:pk>/pdf/", views.parchment_pdf, name="parchment_pdf"),
    path("parchemins/<int:pk>/annuler/", views.parchment_cancel, name="cancel"),
    path("parchemins/<int:pk>/duplicata/", views.parchment_reissue, name="reissue"),
    path("parchemins/<int:pk>/envoi/", views.parchment_sent, name="sent"),
]
