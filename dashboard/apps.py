from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The pages that compose every app: the home dashboard and the cycle overview."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"
