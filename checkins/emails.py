"""The rhythm's three emails, rendered from templates with absolute links.

Every email carries a one-click unsubscribe link for its kind and the
List-Unsubscribe / List-Unsubscribe-Post headers (RFC 8058).
"""

import email.policy
from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from checkins.cadence import Cadence, cadence, due_since
from checkins.models import CheckIn, Obstacle
from checkins.selectors import signals_for_objectives
from core.emails import absolute_url, templated_message
from okrs import selectors as okr_selectors
from okrs.models import Cycle, KeyResult, Objective
from okrs.weeks import iso_week_label
from teams import outbox
from teams.models import EmailOutbox, Membership, User
from teams.schedule import DIGEST_TIME, DIGEST_WEEKDAY, local_moment

UNSUBSCRIBE_SALT = "checkins.unsubscribe"
PREFERENCE = {
    "reminder": "email_reminders",
    "nudge": "email_nudges",
    "digest": "email_digest",
    "comment": "email_comments",
}


def unsubscribe_token(user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(user: User, kind: str) -> str:
    return absolute_url(reverse("checkins:unsubscribe", args=[unsubscribe_token(user, kind)]))


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """The person and kind a token names; BadSignature or User.DoesNotExist otherwise."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    kind = data["k"]
    if kind not in PREFERENCE:
        raise signing.BadSignature("unknown kind")
    return User.objects.get(pk=data["u"]), kind


class RhythmEmail(EmailMultiAlternatives):
    """Headers are folded at RFC 5322's 998-character limit instead of 78, so the long
    unsubscribe URL in List-Unsubscribe stays a plain `<https://…>` that mail clients
    can use (folding a space-less URL would turn it into encoded words)."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=998))


def build_message(*, name: str, user: User, kind: str, context: dict) -> EmailMultiAlternatives:
    link = unsubscribe_url(user, kind)
    context = {**context, "user": user, "unsubscribe_url": link, "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    message = RhythmEmail(
        subject=subject,
        body=render_to_string(f"emails/{name}-body.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string(f"emails/{name}-body.html", context), "text/html")
    return message


def _team_objective(team_id: int) -> Objective | None:
    return (
        Objective.objects.filter(
            team_id=team_id,
            level=Objective.Level.TEAM,
            state=Objective.State.COMMITTED,
            cycle__status=Cycle.Status.ACTIVE,
        )
        .select_related("cycle", "team")
        .first()
    )


def _submitted(row: EmailOutbox) -> bool:
    return CheckIn.objects.filter(
        team_id=row.team_id, week_start=row.period, state=CheckIn.State.SUBMITTED
    ).exists()


def reminder_message(row: EmailOutbox) -> EmailMultiAlternatives | None:
    objective = _team_objective(row.team_id)
    if objective is None or _submitted(row):
        return None  # no objective to check in on, or the week's check-in is in already
    return _reminder(row, objective, list(objective.key_results.order_by("position", "id")))


def _reminder(row: EmailOutbox, objective: Objective, key_results: list) -> EmailMultiAlternatives:
    week = iso_week_label(row.period)
    return build_message(
        name="reminder",
        user=row.recipient,
        kind="reminder",
        context={
            "team": row.team,
            "objective": objective,
            "key_results": key_results,
            "week": week,
            "url": absolute_url(reverse("checkins:week", args=[row.team.slug, week])),
        },
    )


def nudge_message(row: EmailOutbox) -> EmailMultiAlternatives | None:
    if _submitted(row):
        return None  # submitted since the tick: nothing to nudge about
    return _nudge(row)


def _nudge(row: EmailOutbox) -> EmailMultiAlternatives:
    week = iso_week_label(row.period)
    return build_message(
        name="nudge",
        user=row.recipient,
        kind="nudge",
        context={
            "team": row.team,
            "week": week,
            "url": absolute_url(reverse("checkins:week", args=[row.team.slug, week])),
        },
    )


def digest_message(row: EmailOutbox) -> EmailMultiAlternatives | None:
    cycle = okr_selectors.cycle_get_active()
    if cycle is None:
        return None
    okr = okr_selectors.company_okr_get(cycle=cycle)
    if okr.objective is None:
        return None
    team_objectives = list(
        Objective.objects.filter(cycle=cycle, level=Objective.Level.TEAM)
        .exclude(state=Objective.State.ARCHIVED)
        .select_related("team")
        .prefetch_related("key_results")
        .annotate(committed_at=okr_selectors.committed_at())
        .order_by("team__name")
    )
    for objective in team_objectives:
        objective.cycle = cycle
    # The week that just ended: which teams checked in and which did not.
    last_week = row.period - timezone.timedelta(weeks=1)
    # One definition of "due" with the cycle overview (checkins.cadence): a week whose
    # check-in time came before the team committed (or the cycle began) was not due, and a
    # check-in is missed once its time and the nudge's grace have passed.
    checkins = {
        c.team_id: c
        for c in CheckIn.objects.filter(week_start=last_week).only(
            "team_id", "state", "submitted_at"
        )
    }
    signals = signals_for_objectives(team_objectives, today=row.period)
    committed = [o for o in team_objectives if o.state == Objective.State.COMMITTED]
    # The digest's own moment (its Monday morning in the leader's zone), not the clock
    # when it happens to be sent: a retried send or a `--now` tick lists the same teams.
    now = local_moment(
        row.period + timedelta(days=DIGEST_WEEKDAY), DIGEST_TIME, ZoneInfo(row.recipient.time_zone)
    )
    status = {
        o.pk: cadence(
            o.team, last_week, checkins.get(o.team_id), now=now, since=due_since(o, cycle)
        )
        for o in committed
    }
    return build_message(
        name="digest",
        user=row.recipient,
        kind="digest",
        context={
            "cycle": cycle,
            "okr": okr,
            "week": iso_week_label(last_week),
            "checked_in": [
                o.team for o in committed if status[o.pk] in (Cadence.ON_TIME, Cadence.LATE)
            ],
            "missed": [o.team for o in committed if status[o.pk] == Cadence.MISSED],
            "signals": [
                (o.team, s)
                for o in team_objectives
                for s in signals.get(o.pk, [])
                if s.kind != "missing"
            ],
            "url": absolute_url(reverse("home")),
        },
    )


BUILDERS = {"reminder": reminder_message, "nudge": nudge_message, "digest": digest_message}


def rhythm_message(row: EmailOutbox) -> EmailMultiAlternatives | None:
    """The message for a rhythm row, or None when it is no longer wanted (registered
    with `teams.outbox` for the three kinds in `CheckinsConfig.ready`)."""
    user = row.recipient
    if not user.is_active or not getattr(user, PREFERENCE[row.kind]):
        return None
    if (
        row.kind in ("reminder", "nudge")
        and not Membership.objects.filter(team_id=row.team_id, user=user).exists()
    ):
        return None
    return BUILDERS[row.kind](row)


def rhythm_messages(rows: Sequence[EmailOutbox]) -> list[EmailMultiAlternatives | None]:
    """`rhythm_message` for a batch of rows, in order, with what the reminders and nudges
    ask of the database (memberships, submitted check-ins, objectives and their key
    results) asked once for all of them (registered with `teams.outbox` as `many`)."""
    team_rows = [row for row in rows if row.kind in ("reminder", "nudge")]
    team_ids = {row.team_id for row in team_rows}
    members = set(
        Membership.objects.filter(
            team_id__in=team_ids, user_id__in={row.recipient_id for row in team_rows}
        ).values_list("team_id", "user_id")
    )
    submitted = set(
        CheckIn.objects.filter(
            team_id__in=team_ids,
            week_start__in={row.period for row in team_rows},
            state=CheckIn.State.SUBMITTED,
        ).values_list("team_id", "week_start")
    )
    objectives: dict[int, Objective] = {}
    reminder_teams = {row.team_id for row in team_rows if row.kind == "reminder"}
    if reminder_teams:
        # In the order `_team_objective`'s first() takes them.
        for objective in (
            Objective.objects.filter(
                team_id__in=reminder_teams,
                level=Objective.Level.TEAM,
                state=Objective.State.COMMITTED,
                cycle__status=Cycle.Status.ACTIVE,
            )
            .select_related("cycle", "team")
            .prefetch_related(
                Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "id"))
            )
        ):
            objectives.setdefault(objective.team_id, objective)
    messages: list[EmailMultiAlternatives | None] = []
    for row in rows:
        user = row.recipient
        if not user.is_active or not getattr(user, PREFERENCE[row.kind]):
            messages.append(None)
        elif row.kind == "digest":
            messages.append(digest_message(row))
        elif (row.team_id, user.pk) not in members or (row.team_id, row.period) in submitted:
            messages.append(None)
        elif row.kind == "nudge":
            messages.append(_nudge(row))
        elif (objective := objectives.get(row.team_id)) is None:
            messages.append(None)
        else:
            messages.append(_reminder(row, objective, list(objective.key_results.all())))
    return messages


# --- help between teams ---------------------------------------------------------------


def help_rows(obstacle: Obstacle, *, kind: str) -> list[EmailOutbox]:
    """A help request goes to the team asked; its answer to the team that asked (both
    to the people who want the team's news, the comments preference), but its author."""
    asked = kind == EmailOutbox.Kind.HELP_REQUESTED
    team_id = obstacle.help_team_id if asked else obstacle.team_id
    author_id = obstacle.raised_by_id if asked else obstacle.answered_by_id
    recipients = (
        User.objects.filter(memberships__team_id=team_id, is_active=True, email_comments=True)
        .exclude(pk=author_id)
        .values_list("pk", flat=True)
    )
    return [
        EmailOutbox(kind=kind, event=f"obstacle:{obstacle.pk}", recipient_id=user, team_id=team_id)
        for user in recipients
    ]


def help_message(row: EmailOutbox) -> EmailMultiAlternatives | None:
    obstacle = (
        Obstacle.objects.select_related("team", "help_team", "raised_by", "answered_by")
        .filter(pk=outbox.event_id(row), help_team__isnull=False)
        .first()
    )
    if obstacle is None or not row.recipient.email_comments:
        return None
    asked = row.kind == EmailOutbox.Kind.HELP_REQUESTED
    if asked and obstacle.resolved_at is not None:
        return None  # answered or resolved meanwhile: nothing left to do
    if not Membership.objects.filter(team_id=row.team_id, user_id=row.recipient_id).exists():
        return None  # left the team meanwhile
    page = obstacle.help_team if asked else obstacle.team
    return templated_message(
        name=row.kind,
        to=row.to,
        context={
            "obstacle": obstacle,
            "url": absolute_url(reverse("dashboard:team-detail", args=[page.slug])),
        },
    )
