from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from core import events
        from webhooks import emails, services

        # Deliveries are written in the transaction of the write that emits the event.
        events.subscribe(services.deliveries_for_event)
        emails.register()  # the outbox's builder of "your webhook was paused"
