from django.urls import path

from checkins.views import act, checkin

app_name = "checkins"

urlpatterns = [
    path("teams/<slug:slug>/rhythm/", checkin.team_section, name="team-section"),
    path("teams/<slug:slug>/checkins/", checkin.checkin_current, name="current"),
    path("teams/<slug:slug>/checkins/<str:week>/", checkin.checkin_week, name="week"),
    path("teams/<slug:slug>/checkins/<str:week>/save/", checkin.checkin_save, name="save"),
    path("teams/<slug:slug>/checkins/<str:week>/submit/", checkin.checkin_submit, name="submit"),
    path("teams/<slug:slug>/obstacles/", act.obstacle_create, name="obstacle-create"),
    path("teams/<slug:slug>/help-teams/", act.help_teams, name="help-teams"),
    path("obstacles/<int:obstacle_id>/focus/", act.obstacle_focus, name="obstacle-focus"),
    path("obstacles/<int:obstacle_id>/resolve/", act.obstacle_resolve, name="obstacle-resolve"),
    path("obstacles/<int:obstacle_id>/answer/", act.obstacle_answer, name="obstacle-answer"),
    path("teams/<slug:slug>/experiments/new/", act.experiment_create, name="experiment-create"),
    path("experiments/<int:experiment_id>/edit/", act.experiment_edit, name="experiment-edit"),
    path("unsubscribe/<str:token>/", checkin.unsubscribe, name="unsubscribe"),
]
