from django.urls import path

from api import views

app_name = "tokens"

urlpatterns = [
    path("settings/tokens/", views.personal_tokens, name="personal"),
    path(
        "settings/tokens/<int:token_id>/revoke/",
        views.personal_token_revoke,
        name="personal-revoke",
    ),
    path("teams/<slug:slug>/tokens/", views.team_tokens, name="team"),
    path(
        "teams/<slug:slug>/tokens/<int:token_id>/revoke/",
        views.team_token_revoke,
        name="team-revoke",
    ),
]
