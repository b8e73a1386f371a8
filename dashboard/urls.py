from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("cycles/<int:cycle_id>/overview/", views.cycle_overview, name="cycle-overview"),
]
