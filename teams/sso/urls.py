from django.urls import path

from teams.sso import views

urlpatterns = [
    path("accounts/sso/start/", views.sso_start, name="sso-start"),
    path("accounts/sso/callback/", views.sso_callback, name="sso-callback"),
]
