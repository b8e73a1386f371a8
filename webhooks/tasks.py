"""Beat's thin task for webhooks (the send task is `webhooks.delivery.deliver`)."""

from celery import shared_task

from webhooks import delivery


@shared_task(name="webhooks.sweep")
def sweep() -> dict:
    """Every 30 s: claims of dead workers given back, due and lost deliveries published."""
    return delivery.deliveries_sweep()
