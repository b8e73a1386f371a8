from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The pages that compose every app: the home dashboard and the cycle overview."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, pre_migrate

        from dashboard import status_triggers as status

        # The status rows' triggers follow the schema, as the page versions' do.
        pre_migrate.connect(status.drop_before_migrating, sender=self)
        post_migrate.connect(status.install_triggers, sender=self)
