from django.urls import path

from teams import views
from teams.sso import views as sso_views

app_name = "teams"

urlpatterns = [
    path("teams/new/", views.team_create, name="team-create"),
    path("teams/<slug:slug>/edit/", views.team_edit, name="team-edit"),
    path("teams/<slug:slug>/members/", views.members, name="members"),
    path(
        "teams/<slug:slug>/members/<int:membership_id>/remove/",
        views.membership_remove,
        name="membership-remove",
    ),
    path(
        "teams/<slug:slug>/members/<int:membership_id>/role/",
        views.membership_role,
        name="membership-role",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("settings/", views.profile_settings, name="settings"),
    path("audit/", views.audit_log, name="audit-log"),
    path("settings/sign-in/", sso_views.sign_in_policy, name="sign-in-policy"),
    path("teams/<slug:slug>/schedule/", views.team_schedule, name="schedule"),
]
