from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = gettext_lazy("People and teams")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, pre_migrate

        import teams.audit  # noqa: F401 - connects the sign-in signal receivers
        import teams.sso.signals  # noqa: F401 - deactivating a person ends their sessions
        from teams import emails, page_version

        emails.register()  # the outbox's builders of invitations, resets, ...

        # The team page versions' triggers follow the schema (teams/page_version.py).
        pre_migrate.connect(page_version.drop_before_migrating, sender=self)
        post_migrate.connect(page_version.install, sender=self)
