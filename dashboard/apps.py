from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The pages that compose every app: the home dashboard and the cycle overview."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        from dashboard import status_triggers as status

        # The status rows' triggers follow the schema, as the page versions' do.
        pre_migrate.connect(status.drop_before_migrating, sender=self)
        post_migrate.connect(status.install_triggers, sender=self)
        connection_created.connect(_sqlite_functions)


def _sqlite_functions(sender, connection, **kwargs) -> None:
    """SQLite knows no time zones: the status rows' SQL asks Python (dashboard/status.py)."""
    if connection.vendor == "sqlite":
        from dashboard.status_live import seconds_into_week

        connection.connection.create_function(
            "seconds_into_week", 4, seconds_into_week, deterministic=True
        )
