from django.contrib.auth import views as auth_views
from django.urls import path

from teams.forms import QueuedPasswordResetForm
from teams.sso import views as sso_views
from teams.sso.urls import urlpatterns as sso_urlpatterns

urlpatterns = [
    path(
        "accounts/login/",
        sso_views.SignInView.as_view(),
        name="login",
    ),
    path("accounts/logout/", sso_views.SignOutView.as_view(), name="logout"),
    *sso_urlpatterns,
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        # The email itself is teams.emails.send_password_reset, on the worker.
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
