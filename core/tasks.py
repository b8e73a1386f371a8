"""Enqueueing Celery tasks from a request or a tick without ever failing it."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)

# For tasks that send email: SMTP and network errors are worth retrying; the backoff
# stays well below the broker's visibility timeout.
RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


def enqueue_on_commit(task, **kwargs) -> None:
    """Enqueue `task(**kwargs)` once the current transaction commits.

    Unlike Celery's `delay_on_commit`, a broker that is down is logged, never raised into
    the page or the tick that asked: what was saved stays saved. Rhythm emails live in the
    outbox, so a later reminder tick enqueues them again; other emails are logged as not
    sent.
    """

    def send() -> None:
        try:
            # Retries briefly (CELERY_TASK_PUBLISH_RETRY_POLICY), which also reconnects a
            # producer whose broker went away and came back.
            task.apply_async(kwargs=kwargs)
        except Exception:  # noqa: BLE001 - any broker failure must not break the caller
            logger.warning(
                "Could not enqueue %s %s; the broker is unreachable",
                task.name,
                kwargs,
                exc_info=True,
            )

    transaction.on_commit(send)
