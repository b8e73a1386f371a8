from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from api import views as api_views
from api.endpoints import reads, writes  # noqa: F401
from api.http import api
from core import views
from dashboard import views as dashboard_views

admin.site.site_header = "Lean OKRs administration"
admin.site.site_title = "Lean OKRs admin"

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # The sign-in page's language switch (Django's set_language: a cookie, then back).
    path("i18n/", include("django.conf.urls.i18n")),
    path("dev/mailbox/", views.dev_mailbox, name="dev-mailbox"),
    path("", include("teams.auth_urls")),
    # teams before okrs: "teams/new/" must not be read as a team called "new".
    path("", include("teams.urls")),
    path("api/v1/", api.urls),
    path("api/docs", api_views.docs, name="api-docs"),
    path("", include("api.urls")),
    path("", include("okrs.urls")),
    path("", include("checkins.urls")),
    # before dashboard: "teams/<slug>/webhooks/" is not a team page.
    path("", include("webhooks.urls")),
    path("", include("dashboard.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG_TOOLBAR:  # development only (config/settings.py)
    from debug_toolbar.toolbar import debug_toolbar_urls

    urlpatterns += debug_toolbar_urls()
