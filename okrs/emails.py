"""The emails about objectives, sent through the outbox (`teams.outbox`).

For each kind: who gets one (`*_rows`, one outbox row per recipient, which the services
write in the transaction of what happened) and what it says (`*_message`, the builder
that renders a row when it is sent, or None when it is no longer wanted). The builders
are registered in `OkrsConfig.ready`. Each email links to the team page.
"""

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from core.emails import absolute_url, templated_message
from okrs.models import Comment, Objective, ObjectiveEvent
from teams import outbox
from teams.models import EmailOutbox, Membership, User

Kind = EmailOutbox.Kind


def _leader_ids() -> list[int]:
    return list(User.objects.filter(is_leader=True, is_active=True).values_list("pk", flat=True))


def _team_url(objective: Objective) -> str:
    return absolute_url(reverse("dashboard:team-detail", args=[objective.team.slug]))


def objective_proposed_rows(objective: Objective) -> list[EmailOutbox]:
    """A team lead proposed the team's objective: every leader hears."""
    return [
        EmailOutbox(
            kind=Kind.OBJECTIVE_PROPOSED,
            event=f"proposal:{objective.pk}",
            recipient_id=leader,
            team_id=objective.team_id,
        )
        for leader in _leader_ids()
    ]


def objective_proposed_message(row: EmailOutbox) -> EmailMultiAlternatives | None:
    objective = (
        Objective.objects.select_related("team")
        .filter(pk=outbox.event_id(row), state=Objective.State.PROPOSED)
        .first()
    )
    if objective is None or not row.recipient.is_leader:
        return None  # accepted or declined meanwhile: nothing left to look at
    return templated_message(
        name="objective_proposed",
        to=row.to,
        context={"objective": objective, "team": objective.team, "url": _team_url(objective)},
    )


def objective_submitted_rows(submission: ObjectiveEvent) -> list[EmailOutbox]:
    """A team submitted its key results (`submission`, the history's record of it, tells
    one submission from the next): every leader hears."""
    return [
        EmailOutbox(
            kind=Kind.OBJECTIVE_SUBMITTED,
            event=f"submission:{submission.pk}",
            recipient_id=leader,
            team_id=submission.objective.team_id,
        )
        for leader in _leader_ids()
    ]


def objective_submitted_message(row: EmailOutbox) -> EmailMultiAlternatives | None:
    submission = (
        ObjectiveEvent.objects.select_related("objective__team")
        .filter(pk=outbox.event_id(row))
        .first()
    )
    if submission is None or not row.recipient.is_leader:
        return None
    objective = submission.objective
    if objective.state != Objective.State.SUBMITTED:
        return None  # committed or challenged meanwhile
    return templated_message(
        name="objective_submitted",
        to=row.to,
        context={
            "objective": objective,
            "team": objective.team,
            "key_results": list(objective.key_results.order_by("position", "id")),
            "url": _team_url(objective),
        },
    )


def comment_posted_rows(comment: Comment) -> list[EmailOutbox]:
    """A comment or a challenge goes to everyone in the team but its author who wants
    them."""
    team_id = comment.objective.team_id
    recipients = (
        User.objects.filter(memberships__team_id=team_id, is_active=True, email_comments=True)
        .exclude(pk=comment.author_id)
        .values_list("pk", flat=True)
    )
    return [
        EmailOutbox(
            kind=Kind.COMMENT_POSTED,
            event=f"comment:{comment.pk}",
            recipient_id=user,
            team_id=team_id,
        )
        for user in recipients
    ]


def comment_posted_message(row: EmailOutbox) -> EmailMultiAlternatives | None:
    comment = (
        Comment.objects.select_related("objective__team", "author")
        .filter(pk=outbox.event_id(row))
        .first()
    )
    if comment is None or not row.recipient.email_comments:
        return None
    objective = comment.objective
    if not Membership.objects.filter(team_id=objective.team_id, user_id=row.recipient_id).exists():
        return None  # left the team meanwhile
    return templated_message(
        name="comment_posted",
        to=row.to,
        context={
            "comment": comment,
            "objective": objective,
            "team": objective.team,
            "url": f"{_team_url(objective)}#comment-{comment.pk}",
        },
    )


def _team_news_rows(kind: str, objective: Objective, event: str, *, but=None) -> list[EmailOutbox]:
    """News about a team's objective for its people who want the team's news (the
    comments preference), but the one who made it."""
    recipients = User.objects.filter(
        memberships__team_id=objective.team_id, is_active=True, email_comments=True
    )
    if but is not None:
        recipients = recipients.exclude(pk=but.pk)
    return [
        EmailOutbox(kind=kind, event=event, recipient_id=user, team_id=objective.team_id)
        for user in recipients.values_list("pk", flat=True)
    ]


def objective_defined_rows(objective: Objective, *, actor) -> list[EmailOutbox]:
    """A leader defined the team's objective: the team drafts its key results next."""
    return _team_news_rows(Kind.OBJECTIVE_DEFINED, objective, f"defined:{objective.pk}", but=actor)


def objective_committed_rows(objective: Objective, *, actor) -> list[EmailOutbox]:
    """A leader committed the team's key results: the team works towards them."""
    return _team_news_rows(
        Kind.OBJECTIVE_COMMITTED, objective, f"committed:{objective.pk}", but=actor
    )


def _team_news_message(row: EmailOutbox, name: str, *states) -> EmailMultiAlternatives | None:
    objective = (
        Objective.objects.select_related("team", "cycle")
        .filter(pk=outbox.event_id(row), state__in=states)
        .first()
    )
    if objective is None or not row.recipient.email_comments:
        return None  # moved on meanwhile, or the person no longer wants the team's news
    if not Membership.objects.filter(team_id=objective.team_id, user_id=row.recipient_id).exists():
        return None  # left the team meanwhile
    return templated_message(
        name=name,
        to=row.to,
        context={
            "objective": objective,
            "team": objective.team,
            "key_results": list(objective.key_results.order_by("position", "id")),
            "url": _team_url(objective),
        },
    )


def objective_defined_message(row: EmailOutbox) -> EmailMultiAlternatives | None:
    return _team_news_message(
        row, "objective_defined", Objective.State.DRAFT, Objective.State.CHALLENGED
    )


def objective_committed_message(row: EmailOutbox) -> EmailMultiAlternatives | None:
    return _team_news_message(row, "objective_committed", Objective.State.COMMITTED)


def register() -> None:
    outbox.register(Kind.OBJECTIVE_DEFINED, objective_defined_message)
    outbox.register(Kind.OBJECTIVE_COMMITTED, objective_committed_message)
    outbox.register(Kind.OBJECTIVE_PROPOSED, objective_proposed_message)
    outbox.register(Kind.OBJECTIVE_SUBMITTED, objective_submitted_message)
    outbox.register(Kind.COMMENT_POSTED, comment_posted_message)
