from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

admin.site.site_header = "CQP Manager — administration"
admin.site.site_title = "CQP Manager"
# A "database is locked" raised outside a view (SQLite) answers "busy, retry" (503), not a server error.
handler500 = "cqp.middleware.server_error"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("compte/", include("accounts.urls")),
    path("referentiel/", include("cqp.referential_urls")),
    path("organismes/", include("cqp.organisation_urls")),
    path("candidats/", include("candidates.urls")),
    path("sessions/", include("evaluations.urls")),
    path("jurys/", include("juries.urls")),
    path("certificats/", include("certificates.urls")),
    path("dysfonctionnements/", include("dysfunctions.urls")),
    path("verifier/", include("certificates.public_urls")),
    path("resultats/", include("results.urls")),
    path("vae/", include("vae.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
