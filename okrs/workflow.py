"""The team objective's workflow: proposed → draft → submitted ⇄ challenged → committed.

Leaders define a team's objective (or accept a team lead's proposal), the team drafts
its key results and submits them, leaders challenge their ambition or commit them.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.tasks import enqueue_on_commit
from okrs import tasks
from okrs.models import Comment, Cycle, KeyResult, KeyResultUpdate, Objective, ObjectiveEvent
from okrs.services import (
    _ensure_aligns_within_cycle,
    _ensure_open,
    _full_clean,
    _record,
    _validate_key_result,
    ensure_not_closed,
    validate_objective_text,
)
from okrs.weeks import week_start
from teams.models import Team, User

State = Objective.State

ONE_PER_TEAM = "{team} already has an objective in {cycle}. Open it to change it."


def _create_team_objective(
    *,
    cycle: Cycle,
    team: Team,
    title: str,
    context: str,
    aligned_to: KeyResult,
    state: str,
    actor: User | None,
    verb: str,
    carried_from: Objective | None = None,
    changes: dict | None = None,
) -> Objective:
    _ensure_open(cycle)
    _ensure_aligns_within_cycle(aligned_to, cycle)
    objective = Objective(
        cycle=cycle,
        level=Objective.Level.TEAM,
        team=team,
        title=title,
        context=context,
        aligned_to=aligned_to,
        state=state,
        carried_from=carried_from,
    )
    message = ONE_PER_TEAM.format(team=team.name, cycle=cycle.name)
    try:
        _full_clean(objective)
    except ValidationError as error:
        # The partial unique constraint's own message names no team; say which.
        if any("already has an objective" in m for m in error.messages):
            raise ValidationError(message) from error
        raise
    try:
        with transaction.atomic():
            objective.save()
    except IntegrityError as error:
        raise ValidationError(message) from error
    _record(objective=objective, actor=actor, verb=verb, subject=title, changes=changes)
    return objective


def team_objective_define(
    *, cycle: Cycle, team: Team, title: str, context: str, aligned_to: KeyResult, actor: User
) -> Objective:
    """A leader gives a team its objective for the cycle, as a draft for the team."""
    return _create_team_objective(
        cycle=cycle,
        team=team,
        title=title,
        context=context,
        aligned_to=aligned_to,
        state=State.DRAFT,
        actor=actor,
        verb=ObjectiveEvent.Verb.DEFINED,
    )


def team_objective_propose(
    *, cycle: Cycle, team: Team, title: str, context: str, aligned_to: KeyResult, actor: User
) -> Objective:
    """A team lead proposes the team's objective when it has none yet."""
    objective = _create_team_objective(
        cycle=cycle,
        team=team,
        title=title,
        context=context,
        aligned_to=aligned_to,
        state=State.PROPOSED,
        actor=actor,
        verb=ObjectiveEvent.Verb.PROPOSED,
    )
    enqueue_on_commit(tasks.send_objective_proposed, objective_id=objective.pk)
    return objective


def _transition(
    objective: Objective, *, allowed_from: tuple[str, ...], to: str, refusal: str
) -> Objective:
    """Move the objective to `to` only from an allowed state: a conditional update, so
    two leaders acting at once cannot both move it."""
    _ensure_open(objective.cycle)
    moved = Objective.objects.filter(pk=objective.pk, state__in=allowed_from).update(
        state=to, version=F("version") + 1
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
    _ensure_aligns_within_cycle(aligned_to, objective.cycle)
    validate_objective_text(objective, title=title, context=context, aligned_to=aligned_to)
    objective = _transition(
        objective,
        allowed_from=(State.PROPOSED,),
        to=State.DRAFT,
        refusal="Only a proposed objective can be accepted.",
    )
    Objective.objects.filter(pk=objective.pk).update(
        title=title, context=context, aligned_to=aligned_to
    )
    objective.refresh_from_db()
    _record(objective=objective, actor=actor, verb=ObjectiveEvent.Verb.ACCEPTED, subject=title)
    return objective


@transaction.atomic
def team_objective_decline(*, objective: Objective, actor: User, reason: str) -> Objective:
    """A leader declines a proposal: it is archived, and the team may propose again."""
    if not reason.strip():
        raise ValidationError({"reason": ["Tell the team why, so the next proposal fits."]})
    objective = _transition(
        objective,
        allowed_from=(State.PROPOSED,),
        to=State.ARCHIVED,
        refusal="Only a proposed objective can be declined.",
    )
    _record(
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
        raise ValidationError("Draft at least one key result before submitting.")
    for kr in key_results:
        # The same rules as editing one (a carried-forward key result may start at its
        # target already).
        try:
            _validate_key_result(kr)
        except ValidationError as error:
            raise ValidationError(f"“{kr.title}”: {' '.join(error.messages)}") from error
    objective = _transition(
        objective,
        allowed_from=(State.DRAFT, State.CHALLENGED),
        to=State.SUBMITTED,
        refusal="Only a draft or a challenged objective can be submitted.",
    )
    _record(objective=objective, actor=actor, verb=ObjectiveEvent.Verb.SUBMITTED)
    enqueue_on_commit(tasks.send_objective_submitted, objective_id=objective.pk)
    return objective


@transaction.atomic
def team_objective_challenge(
    *, objective: Objective, actor: User, body: str, aspects: list[str]
) -> Comment:
    """A leader challenges the submitted key results, saying what and why."""
    errors = {}
    if not body.strip():
        errors["body"] = ["Write what the team should reconsider."]
    valid = set(Comment.Aspect.values)
    if not aspects or not set(aspects) <= valid:
        errors["aspects"] = [
            "Mark what you challenge: ambition, measurability, alignment or outcome."
        ]
    if errors:
        raise ValidationError(errors)
    objective = _transition(
        objective,
        allowed_from=(State.SUBMITTED,),
        to=State.CHALLENGED,
        refusal="Only submitted key results can be challenged.",
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
    _record(
        objective=objective,
        actor=actor,
        verb=ObjectiveEvent.Verb.CHALLENGED,
        subject=", ".join(comment.aspect_labels).lower(),
        reason=body,
    )
    enqueue_on_commit(tasks.send_comment_posted, comment_id=comment.pk)
    return comment


@transaction.atomic
def team_objective_commit(*, objective: Objective, actor: User) -> Objective:
    """A leader commits the submitted key results: the team works towards them."""
    objective = _transition(
        objective,
        allowed_from=(State.SUBMITTED,),
        to=State.COMMITTED,
        refusal="Only submitted key results can be committed. The team submits them first.",
    )
    _record(objective=objective, actor=actor, verb=ObjectiveEvent.Verb.COMMITTED)
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
    return objective


@transaction.atomic
def comment_add(*, objective: Objective, author: User, body: str) -> Comment:
    """A comment on a team objective, emailed to the team."""
    ensure_not_closed(objective.cycle)
    comment = Comment(objective=objective, author=author, kind=Comment.Kind.COMMENT, body=body)
    comment.full_clean()
    comment.save()
    enqueue_on_commit(tasks.send_comment_posted, comment_id=comment.pk)
    return comment
