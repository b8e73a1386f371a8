"""The team objective's workflow: proposed → draft → submitted ⇄ challenged → committed.

Leaders define a team's objective (or accept a team lead's proposal), the team drafts
its key results and submits them, leaders challenge their ambition or commit them.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import Event, emit
from okrs import emails
from okrs.models import (
    Comment,
    Cycle,
    KeyResult,
    KeyResultUpdate,
    Objective,
    ObjectiveEvent,
)
from okrs.services.events import event_record
from okrs.services.key_results import validate_key_result
from okrs.services.objectives import validate_objective_text
from okrs.services.rules import ensure_aligns_within_cycle, ensure_not_closed, ensure_open
from okrs.services.team_objective import team_objective_create
from okrs.weeks import week_start
from teams.audit import audit_record
from teams.models import AuditEvent, Team, User
from teams.outbox import outbox_write

State = Objective.State


@transaction.atomic
def team_objective_define(
    *, cycle: Cycle, team: Team, title: str, context: str, aligned_to: KeyResult, actor: User
) -> Objective:
    """A leader gives a team its objective for the cycle, as a draft for the team; the
    team is emailed."""
    objective = team_objective_create(
        cycle=cycle,
        team=team,
        title=title,
        context=context,
        aligned_to=aligned_to,
        state=State.DRAFT,
        actor=actor,
        verb=ObjectiveEvent.Verb.DEFINED,
    )
    outbox_write(emails.objective_defined_rows(objective, actor=actor))
    return objective


@transaction.atomic
def team_objective_propose(
    *, cycle: Cycle, team: Team, title: str, context: str, aligned_to: KeyResult, actor: User
) -> Objective:
    """A team lead proposes the team's objective when it has none yet; leaders are
    emailed."""
    objective = team_objective_create(
        cycle=cycle,
        team=team,
        title=title,
        context=context,
        aligned_to=aligned_to,
        state=State.PROPOSED,
        actor=actor,
        verb=ObjectiveEvent.Verb.PROPOSED,
    )
    outbox_write(emails.objective_proposed_rows(objective))
    return objective


def _transition(
    objective: Objective, *, allowed_from: tuple[str, ...], to: str, refusal: str
) -> Objective:
    """Move the objective to `to` only from an allowed state: a conditional update, so
    two leaders acting at once cannot both move it."""
    ensure_open(objective.cycle)
    moved = Objective.objects.filter(pk=objective.pk, state__in=allowed_from).update(
        state=to, version=F("version") + 1, updated_at=timezone.now()
    )
    if not moved:
        raise ValidationError(refusal)
    return Objective.objects.select_related("cycle", "team", "aligned_to").get(pk=objective.pk)


@transaction.atomic
def team_objective_accept(
    *,
    objective: Objective,
    title: str,
    context: str,
    aligned_to: KeyResult,
    actor: User,
) -> Objective:
    """A leader accepts a team's proposal, reworded as they see fit; it becomes a draft."""
    ensure_aligns_within_cycle(aligned_to, objective.cycle)
    validate_objective_text(objective, title=title, context=context, aligned_to=aligned_to)
    objective = _transition(
        objective,
        allowed_from=(State.PROPOSED,),
        to=State.DRAFT,
        refusal=_("Only a proposed objective can be accepted."),
    )
    Objective.objects.filter(pk=objective.pk).update(
        title=title, context=context, aligned_to=aligned_to
    )
    objective.refresh_from_db()
    event_record(objective=objective, actor=actor, verb=ObjectiveEvent.Verb.ACCEPTED, subject=title)
    return objective


@transaction.atomic
def team_objective_decline(*, objective: Objective, actor: User, reason: str) -> Objective:
    """A leader declines a proposal: it is archived, and the team may propose again."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Tell the team why, so the next proposal fits.")]})
    objective = _transition(
        objective,
        allowed_from=(State.PROPOSED,),
        to=State.ARCHIVED,
        refusal=_("Only a proposed objective can be declined."),
    )
    event_record(
        objective=objective,
        actor=actor,
        verb=ObjectiveEvent.Verb.DECLINED,
        subject=objective.title,
        reason=reason,
    )
    return objective


@transaction.atomic
def team_objective_submit(*, objective: Objective, actor: User) -> Objective:
    """The team submits its drafted (or revised) key results for the leaders' review."""
    key_results = list(objective.key_results.all())
    if not key_results:
        raise ValidationError(_("Draft at least one key result before submitting."))
    for kr in key_results:
        # The same rules as editing one (a carried-forward key result may start at its
        # target already).
        try:
            validate_key_result(kr)
        except ValidationError as error:
            raise ValidationError(f"“{kr.title}”: {' '.join(error.messages)}") from error
    objective = _transition(
        objective,
        allowed_from=(State.DRAFT, State.CHALLENGED),
        to=State.SUBMITTED,
        refusal=_("Only a draft or a challenged objective can be submitted."),
    )
    submission = event_record(objective=objective, actor=actor, verb=ObjectiveEvent.Verb.SUBMITTED)
    outbox_write(emails.objective_submitted_rows(submission))
    emit(Event.OBJECTIVE_SUBMITTED, objective=objective, actor=actor)
    return objective


@transaction.atomic
def team_objective_challenge(
    *,
    objective: Objective,
    actor: User,
    body: str,
    aspects: list[str],
    ip_address: str | None = None,
) -> Comment:
    """A leader challenges the submitted key results, saying what and why."""
    errors = {}
    if not body.strip():
        errors["body"] = [_("Write what the team should reconsider.")]
    valid = set(Comment.Aspect.values)
    if not aspects or not set(aspects) <= valid:
        errors["aspects"] = [
            _("Mark what you challenge: ambition, measurability, alignment or outcome.")
        ]
    if errors:
        raise ValidationError(errors)
    objective = _transition(
        objective,
        allowed_from=(State.SUBMITTED,),
        to=State.CHALLENGED,
        refusal=_("Only submitted key results can be challenged."),
    )
    comment = Comment(
        objective=objective,
        author=actor,
        kind=Comment.Kind.CHALLENGE,
        aspects=[a for a in Comment.Aspect.values if a in aspects],
        body=body,
    )
    comment.full_clean()
    comment.save()
    event_record(
        objective=objective,
        actor=actor,
        verb=ObjectiveEvent.Verb.CHALLENGED,
        subject=", ".join(comment.aspect_labels).lower(),
        reason=body,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CHALLENGED,
        subject=f"{objective.team}: {objective.title}",
        ip_address=ip_address,
    )
    outbox_write(emails.comment_posted_rows(comment))
    emit(Event.OBJECTIVE_CHALLENGED, objective=objective, actor=actor, comment=comment)
    return comment


@transaction.atomic
def team_objective_commit(
    *, objective: Objective, actor: User, ip_address: str | None = None
) -> Objective:
    """A leader commits the submitted key results: the team works towards them."""
    objective = _transition(
        objective,
        allowed_from=(State.SUBMITTED,),
        to=State.COMMITTED,
        refusal=_("Only submitted key results can be committed. The team submits them first."),
    )
    event_record(objective=objective, actor=actor, verb=ObjectiveEvent.Verb.COMMITTED)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.COMMITTED,
        subject=f"{objective.team}: {objective.title}",
        ip_address=ip_address,
    )
    # The committed values are the first points of each key result's history: the
    # first check-in compares against them.
    monday = week_start(timezone.localdate())
    KeyResultUpdate.objects.bulk_create(
        KeyResultUpdate(
            key_result=kr,
            value=kr.current_value,
            confidence=kr.confidence,
            comment="Committed",
            author=actor,
            week_start=monday,
        )
        for kr in objective.key_results.all()
    )
    outbox_write(emails.objective_committed_rows(objective, actor=actor))
    emit(Event.OBJECTIVE_COMMITTED, objective=objective, actor=actor)
    return objective


@transaction.atomic
def comment_add(*, objective: Objective, author: User, body: str) -> Comment:
    """A comment on a team objective, emailed to the team."""
    ensure_not_closed(objective.cycle)
    comment = Comment(objective=objective, author=author, kind=Comment.Kind.COMMENT, body=body)
    comment.full_clean()
    comment.save()
    outbox_write(emails.comment_posted_rows(comment))
    return comment
