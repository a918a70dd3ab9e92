from __future__ import annotations

from django.urls import path

from dysfunctions import views

app_name = "dysfunctions"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("sessions/<int:pk>/proposer/", views.proposal_create, name="propose"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/decider/", views.proposal_decide, name="decide"),
    path("sessions/<int:pk>/rapport/", views.report_create, name="report_create"),
    path("rapports/<int:pk>/", views.report_detail, name="report"),
]
