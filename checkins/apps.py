from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "checkins"
    verbose_name = "Check-ins"

    def ready(self) -> None:
        from checkins import emails
        from teams import outbox

        for kind in emails.BUILDERS:
            outbox.register(kind, emails.rhythm_message, many=emails.rhythm_messages)
        for kind in (outbox.EmailOutbox.Kind.HELP_REQUESTED, outbox.EmailOutbox.Kind.HELP_ANSWERED):
            outbox.register(kind, emails.help_message)
