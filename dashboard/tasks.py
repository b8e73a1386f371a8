"""Beat's task for the status rows (dashboard/status.py)."""

from celery import shared_task

from dashboard.status_live import rows_refresh
from okrs.models import Cycle


@shared_task
def status_refresh_active() -> int:
    """Compute the active cycle's stale status rows (beat, every minute), so a reader
    seldom has any to compute: after a busy check-in minute, or a deploy."""
    cycle = Cycle.objects.filter(status=Cycle.Status.ACTIVE).first()
    return rows_refresh(cycle) if cycle else 0
