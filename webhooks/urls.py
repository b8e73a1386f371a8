from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("settings/webhooks/", views.company, name="company"),
    path("settings/webhooks/new/", views.company_create, name="company-create"),
    path("teams/<slug:slug>/webhooks/", views.team, name="team"),
    path("teams/<slug:slug>/webhooks/new/", views.team_create, name="team-create"),
    path("webhooks/<int:endpoint_id>/", views.endpoint, name="endpoint"),
    path("webhooks/<int:endpoint_id>/edit/", views.endpoint_edit, name="endpoint-edit"),
    path("webhooks/<int:endpoint_id>/delete/", views.endpoint_delete, name="endpoint-delete"),
    path("webhooks/<int:endpoint_id>/test/", views.endpoint_test, name="endpoint-test"),
    path("webhooks/<int:endpoint_id>/pause/", views.endpoint_pause, name="endpoint-pause"),
    path("webhooks/<int:endpoint_id>/resume/", views.endpoint_resume, name="endpoint-resume"),
    path(
        "webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/send-again/",
        views.delivery_resend,
        name="delivery-resend",
    ),
]
