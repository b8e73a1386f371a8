"""Beat's task for the API: answers kept for retries are forgotten after a day."""

from celery import shared_task

from api import services


@shared_task
def forget_old_idempotency_keys() -> int:
    """Delete the answers kept for `Idempotency-Key`s older than a day (beat, hourly)."""
    return services.idempotency_keys_forget()
