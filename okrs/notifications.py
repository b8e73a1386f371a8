"""Thin Celery tasks that email about objectives: they take ids and call an email
function. Apart from `tasks` (beat's), so the services that enqueue them and the
tasks that call services never import each other."""

from celery import shared_task

from core.tasks import RETRY
from okrs import emails
from okrs.models import Comment, Objective


@shared_task(name="okrs.tasks.send_objective_proposed", **RETRY)
def send_objective_proposed(*, objective_id: int) -> None:
    objective = Objective.objects.select_related("team").filter(pk=objective_id).first()
    if objective is not None:
        emails.send_objective_proposed(objective)


@shared_task(name="okrs.tasks.send_objective_submitted", **RETRY)
def send_objective_submitted(*, objective_id: int) -> None:
    objective = Objective.objects.select_related("team").filter(pk=objective_id).first()
    if objective is not None:
        emails.send_objective_submitted(objective)


@shared_task(name="okrs.tasks.send_comment_posted", **RETRY)
def send_comment_posted(*, comment_id: int) -> None:
    comment = (
        Comment.objects.select_related("objective__team", "author").filter(pk=comment_id).first()
    )
    if comment is not None:
        emails.send_comment_posted(comment)
