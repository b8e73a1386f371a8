from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "checkins"
    verbose_name = "Check-ins"

    def ready(self) -> None:
        from checkins import emails
        from teams import outbox

        for kind in emails.BUILDERS:
            outbox.register(kind, emails.rhythm_message)
