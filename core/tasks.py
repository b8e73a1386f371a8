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


def publish(task, **kwargs) -> bool:
    """Publish `task(**kwargs)` now; False (and a warning in the log) when the broker is
    unreachable, never an exception into the page or the tick that asked."""
    try:
        # Retries briefly (CELERY_TASK_PUBLISH_RETRY_POLICY), which also reconnects a
        # producer whose broker went away and came back.
        task.apply_async(kwargs=kwargs)
    except Exception:  # noqa: BLE001 - any broker failure must not break the caller
        if task.app.conf.task_always_eager:
            # No broker: the task ran in place and failed (or asked for a retry), which
            # is the task's business, not a task that never left.
            logger.warning("%s %s failed in place", task.name, kwargs, exc_info=True)
            return True
        logger.warning(
            "Could not enqueue %s %s; the broker is unreachable",
            task.name,
            kwargs,
            exc_info=True,
        )
        return False
    return True


def enqueue_on_commit(task, **kwargs) -> None:
    """Publish `task(**kwargs)` once the current transaction commits.

    Unlike Celery's `delay_on_commit`, a broker that is down is logged, never raised into
    the page or the tick that asked: what was saved stays saved. A task that must not be
    lost keeps its work in a table that a later run finds again (as the email outbox
    does, `teams.outbox`).
    """
    transaction.on_commit(lambda: publish(task, **kwargs))
