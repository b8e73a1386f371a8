from django.urls import path

from dashboard import export_views, team_views, views

app_name = "dashboard"

urlpatterns = [
    path("cycles/<int:cycle_id>/overview/", views.cycle_overview, name="cycle-overview"),
    path("cycles/<int:cycle_id>/print/", export_views.cycle_print, name="cycle-print"),
    path(
        "cycles/<int:cycle_id>/export.csv", export_views.cycle_export_csv, name="cycle-export-csv"
    ),
    path(
        "cycles/<int:cycle_id>/export.json",
        export_views.cycle_export_json,
        name="cycle-export-json",
    ),
    path("teams/<slug:slug>/", team_views.team_detail, name="team-detail"),
]
