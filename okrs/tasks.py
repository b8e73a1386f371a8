"""Thin Celery tasks for objectives: they take ids and call an email function."""

from celery import shared_task

from okrs import emails
from okrs.models import Comment, Objective
from teams.tasks import RETRY


@shared_task(**RETRY)
def send_objective_proposed(*, objective_id: int) -> None:
    objective = Objective.objects.select_related("team").filter(pk=objective_id).first()
    if objective is not None:
        emails.send_objective_proposed(objective)


@shared_task(**RETRY)
def send_objective_submitted(*, objective_id: int) -> None:
    objective = Objective.objects.select_related("team").filter(pk=objective_id).first()
    if objective is not None:
        emails.send_objective_submitted(objective)


@shared_task(**RETRY)
def send_comment_posted(*, comment_id: int) -> None:
    comment = (
        Comment.objects.select_related("objective__team", "author").filter(pk=comment_id).first()
    )
    if comment is not None:
        emails.send_comment_posted(comment)


@shared_task
def close_reviews_due() -> int:
    """Close the cycles whose review has ended (beat, hourly)."""
    # Imported here: reviews builds on workflow, which enqueues these tasks.
    from okrs import reviews

    return len(reviews.cycles_close_due())
