"""Beat's tasks for objectives, and what is left of the email tasks.

Emails about objectives go through the outbox now (`okrs.emails`, `teams.outbox`). The
send tasks the previous release queued may still arrive after an upgrade (a retry
waiting its turn, say): under their old names they write the outbox rows they stand
for, which are then sent as any other, instead of being dropped as unknown tasks.
Remove them in the release after.
"""

from celery import shared_task
from django.db import transaction

from okrs import emails
from okrs.models import Comment, Objective, ObjectiveEvent
from okrs.services import reviews
from teams.outbox import outbox_write


@shared_task
def close_reviews_due() -> int:
    """Close the cycles whose review has ended (beat, hourly)."""
    return len(reviews.cycles_close_due())


@shared_task
def send_objective_proposed(*, objective_id: int) -> None:
    objective = Objective.objects.filter(pk=objective_id).first()
    if objective is not None:
        with transaction.atomic():
            outbox_write(emails.objective_proposed_rows(objective))


@shared_task
def send_objective_submitted(*, objective_id: int) -> None:
    submission = (
        ObjectiveEvent.objects.select_related("objective")
        .filter(objective_id=objective_id, verb=ObjectiveEvent.Verb.SUBMITTED)
        .order_by("-created_at", "-id")
        .first()
    )
    if submission is not None:
        with transaction.atomic():
            outbox_write(emails.objective_submitted_rows(submission))


@shared_task
def send_comment_posted(*, comment_id: int) -> None:
    comment = Comment.objects.select_related("objective").filter(pk=comment_id).first()
    if comment is not None:
        with transaction.atomic():
            outbox_write(emails.comment_posted_rows(comment))
