"""One function per email about objectives; each links to the team page."""

from django.urls import reverse

from core.emails import absolute_url, send_templated_email
from okrs.models import Comment, Objective
from teams.models import User


def _leader_addresses() -> list[str]:
    return list(User.objects.filter(is_leader=True, is_active=True).values_list("email", flat=True))


def _team_url(objective: Objective) -> str:
    return absolute_url(reverse("dashboard:team-detail", args=[objective.team.slug]))


def send_objective_proposed(objective: Objective) -> int:
    return send_templated_email(
        name="objective_proposed",
        to=_leader_addresses(),
        context={"objective": objective, "team": objective.team, "url": _team_url(objective)},
    )


def send_objective_submitted(objective: Objective) -> int:
    return send_templated_email(
        name="objective_submitted",
        to=_leader_addresses(),
        context={
            "objective": objective,
            "team": objective.team,
            "key_results": list(objective.key_results.order_by("position", "id")),
            "url": _team_url(objective),
        },
    )


def send_comment_posted(comment: Comment) -> int:
    """A challenge or a comment goes to everyone in the team but its author."""
    objective = comment.objective
    recipients = (
        User.objects.filter(memberships__team=objective.team, is_active=True, email_comments=True)
        .exclude(pk=comment.author_id)
        .values_list("email", flat=True)
    )
    return send_templated_email(
        name="comment_posted",
        to=list(recipients),
        context={
            "comment": comment,
            "objective": objective,
            "team": objective.team,
            "url": f"{_team_url(objective)}#comment-{comment.pk}",
        },
    )
