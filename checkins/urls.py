from django.urls import path

from checkins import views

app_name = "checkins"

urlpatterns = [
    path("teams/<slug:slug>/rhythm/", views.team_section, name="team-section"),
    path("teams/<slug:slug>/checkins/", views.checkin_current, name="current"),
    path("teams/<slug:slug>/checkins/<str:week>/", views.checkin_week, name="week"),
    path("teams/<slug:slug>/checkins/<str:week>/save/", views.checkin_save, name="save"),
    path("teams/<slug:slug>/checkins/<str:week>/submit/", views.checkin_submit, name="submit"),
    path("teams/<slug:slug>/obstacles/", views.obstacle_create, name="obstacle-create"),
    path("obstacles/<int:obstacle_id>/focus/", views.obstacle_focus, name="obstacle-focus"),
    path("obstacles/<int:obstacle_id>/resolve/", views.obstacle_resolve, name="obstacle-resolve"),
    path("obstacles/<int:obstacle_id>/answer/", views.obstacle_answer, name="obstacle-answer"),
    path("teams/<slug:slug>/experiments/new/", views.experiment_create, name="experiment-create"),
    path("experiments/<int:experiment_id>/edit/", views.experiment_edit, name="experiment-edit"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
