from django.apps import AppConfig


class OkrsConfig(AppConfig):
    name = "okrs"
    verbose_name = "OKRs"

    def ready(self) -> None:
        from okrs import emails

        emails.register()  # the outbox's builders of the emails about objectives
