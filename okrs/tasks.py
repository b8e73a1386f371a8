"""Beat's tasks for objectives."""

from celery import shared_task

from okrs.services import reviews


@shared_task
def close_reviews_due() -> int:
    """Close the cycles whose review has ended (beat, hourly)."""
    return len(reviews.cycles_close_due())
