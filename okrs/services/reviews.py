"""The end of a cycle: review, scores, retrospectives, closing and carrying forward.

A cycle in review has frozen OKRs; teams score their key results (0.0–1.0, prefilled
from progress, a reason when the score differs) and write their retrospectives until
`review_until`, when the cycle closes. A closed cycle is read-only. A team carries its
objective forward into the active cycle as a new draft whose key results start where
the old ones ended.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.events import Event, emit
from core.numbers import local_number
from core.versioning import StaleEdit, versioned_update
from okrs.models import (
    TEXT_MAX_LENGTH,
    Cycle,
    KeyResult,
    Objective,
    ObjectiveEvent,
    Retrospective,
)
from okrs.selectors import cycle_get_active
from okrs.services.cycles import cycle_close
from okrs.services.events import changed_fields, event_record, shown
from okrs.services.rules import CLOSED_MESSAGE, lock_objective
from okrs.services.team_objective import team_objective_create
from teams.models import Team, User

SCORE_RANGE_MESSAGE = gettext_lazy("A score is between 0.0 and 1.0, for example 0.7.")
MAX_REVIEW_DAYS = 90


@transaction.atomic
def cycle_review_start(*, cycle: Cycle, review_until: date, today: date | None = None) -> Cycle:
    """Freeze the active cycle's OKRs and open the review until `review_until`."""
    today = today or timezone.localdate()
    cycle = Cycle.objects.select_for_update(no_key=True).get(pk=cycle.pk)
    if cycle.status != Cycle.Status.ACTIVE:
        raise ValidationError(_("Only the active cycle can go into review."))
    if review_until < today:
        raise ValidationError({"review_until": [_("The review ends today or later.")]})
    if (review_until - today).days > MAX_REVIEW_DAYS:
        raise ValidationError(
            {
                "review_until": [
                    _("Keep the review under %(days)s days: learn while it is fresh.")
                    % {"days": MAX_REVIEW_DAYS}
                ]
            }
        )
    cycle.status = Cycle.Status.REVIEW
    cycle.review_until = review_until
    cycle.save(update_fields=["status", "review_until"])
    emit(Event.CYCLE_REVIEW_STARTED, cycle=cycle)
    return cycle


def cycles_close_due(*, today: date | None = None) -> list[Cycle]:
    """Close the cycles whose review has ended: its last day is over (beat runs this
    hourly)."""
    today = today or timezone.localdate()
    due = Cycle.objects.filter(status=Cycle.Status.REVIEW, review_until__lt=today)
    closed = []
    for cycle in due:
        try:
            closed.append(cycle_close(cycle=cycle, why="its review ended"))
        except ValidationError:
            continue  # a leader closed it in between
    return closed


def _ensure_scorable(objective: Objective) -> None:
    cycle = objective.cycle
    if cycle.is_closed:
        raise ValidationError(CLOSED_MESSAGE)
    if not cycle.is_scorable:
        raise ValidationError(_("Scores and retrospectives are written at the end of the cycle."))
    if objective.state != Objective.State.COMMITTED:
        raise ValidationError(_("Only a committed objective is scored."))


def parse_score(raw) -> Decimal:
    """A score from a form or an import: 0.0–1.0, at most two decimals."""
    try:
        score = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError({"score": [SCORE_RANGE_MESSAGE]}) from error
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(1):
        raise ValidationError({"score": [SCORE_RANGE_MESSAGE]})
    if score != score.quantize(Decimal("0.01")):
        raise ValidationError({"score": [_("Use at most two decimals, for example 0.75.")]})
    return score.quantize(Decimal("0.01"))


@transaction.atomic
def key_result_score(
    *,
    key_result: KeyResult,
    score: Decimal,
    reason: str,
    expected_version: int,
    actor: User | None,
) -> KeyResult:
    """Score a key result; a score other than the one progress suggests needs a reason."""
    objective = lock_objective(key_result.objective_id)
    _ensure_scorable(objective)
    score = parse_score(score)
    reason = reason.strip()
    before = KeyResult.objects.get(pk=key_result.pk)
    suggested = before.suggested_score
    if score != suggested and not reason:
        raise ValidationError(
            {
                "reason": [
                    _("Progress suggests %(score)s: say why the score differs.")
                    % {"score": local_number(suggested)}
                ]
            }
        )
    if len(reason) > TEXT_MAX_LENGTH or "\x00" in reason:
        raise ValidationError(
            {"reason": [_("Keep the reason under 5,000 characters, plain text.")]}
        )
    # A score has its own version: a value recorded while someone scores is no conflict.
    current = versioned_update(
        KeyResult.objects.select_related("objective__cycle", "scored_by"),
        pk=key_result.pk,
        expected_version=expected_version,
        version_field="score_version",
        values={
            "score": score,
            "score_reason": reason,
            "scored_by": actor,
            "scored_at": timezone.now(),
            "updated_by": actor,
        },
    )
    event_record(
        objective=objective,
        actor=actor,
        verb=ObjectiveEvent.Verb.SCORED,
        subject=current.title,
        key_result=current,
        changes={"score": [shown(before.score), shown(current.score)]},
        reason=reason,
    )
    return current


def retrospective_get(objective: Objective) -> Retrospective:
    """The objective's retrospective, or an empty unsaved one (version 0)."""
    try:
        return objective.retrospective
    except Retrospective.DoesNotExist:
        return Retrospective(objective=objective, version=0)


def retrospective_save(
    *,
    objective: Objective,
    texts: dict[str, str],
    expected_version: int,
    actor: User | None,
) -> Retrospective:
    """Write the retrospective unless someone saved it since `expected_version`
    (0: nobody has written it yet)."""
    with transaction.atomic():
        objective = lock_objective(objective.pk)
        _ensure_scorable(objective)
        texts = {name: texts.get(name, "").strip() for name in Retrospective.FIELDS}
        errors = {
            name: [
                _("Keep it under %(count)s characters.") % {"count": local_number(TEXT_MAX_LENGTH)}
            ]
            for name, text in texts.items()
            if len(text) > TEXT_MAX_LENGTH
        }
        if errors:
            raise ValidationError(errors)
        if any("\x00" in text for text in texts.values()):
            raise ValidationError(_("Write plain text."))
        before = Retrospective.objects.filter(objective=objective).first()
        if before is None:
            if expected_version != 0:
                raise ValidationError(_("The retrospective could not be found; reload the page."))
            try:
                with transaction.atomic():
                    current = Retrospective.objects.create(
                        objective=objective, updated_by=actor, **texts
                    )
            except IntegrityError:
                # Someone else wrote the first version at the same moment.
                raise StaleEdit(Retrospective.objects.get(objective=objective)) from None
            changes = {name: ["", text] for name, text in texts.items() if text}
        else:
            current = versioned_update(
                Retrospective.objects.all(),
                pk=before.pk,
                expected_version=expected_version,
                values={"updated_by": actor, **texts},
            )
            changes = changed_fields(before, current, list(Retrospective.FIELDS))
        if changes:
            event_record(
                objective=objective,
                actor=actor,
                verb=ObjectiveEvent.Verb.RETROSPECTIVE,
                changes=changes,
            )
    return current


def carry_forward_target(objective: Objective) -> Cycle | None:
    """The cycle a team objective can be carried into: the active one, when the
    objective's own cycle is over (in review or closed)."""
    if (
        objective.is_company
        or objective.cycle.is_open
        or objective.state != Objective.State.COMMITTED
    ):
        return None
    target = cycle_get_active()
    if target is None or target.start_date < objective.cycle.start_date:
        return None
    return target


def team_objective_in(cycle: Cycle, team: Team) -> Objective | None:
    """The team's open objective in a cycle, if it has one."""
    return (
        Objective.objects.filter(cycle=cycle, team=team)
        .exclude(state=Objective.State.ARCHIVED)
        .first()
    )


def objective_carry_forward(
    *, objective: Objective, aligned_to: KeyResult | None, actor: User | None
) -> Objective:
    """A new draft of the team's objective in the active cycle; each key result starts
    where the old one ended (its current value), with the same target."""
    with transaction.atomic():
        source = lock_objective(objective.pk)
        if source.is_company:
            raise ValidationError(_("Leaders write each cycle's company objective anew."))
        if source.cycle.is_open:
            raise ValidationError(_("An objective is carried forward once its cycle is over."))
        if source.state != Objective.State.COMMITTED:
            raise ValidationError(_("Only a committed objective is carried forward."))
        target = carry_forward_target(source)
        if target is None:
            raise ValidationError(
                _(
                    "There is no active cycle to carry it into yet. The leaders open the next "
                    "cycle first."
                )
            )
        if aligned_to is None:
            raise ValidationError(
                {"aligned_to": [_("Choose the company key result this objective moves now.")]}
            )
        carried = team_objective_create(
            cycle=target,
            team=source.team,
            title=source.title,
            context=source.context,
            aligned_to=aligned_to,
            state=Objective.State.DRAFT,
            actor=actor,
            verb=ObjectiveEvent.Verb.CARRIED_FORWARD,
            carried_from=source,
            changes={"cycle": [source.cycle.name, target.name]},
        )
        old_key_results = list(source.key_results.order_by("position", "id"))
        new_key_results = KeyResult.objects.bulk_create(
            KeyResult(
                objective=carried,
                position=position,
                title=kr.title,
                kind=kr.kind,
                start_value=kr.start_value if kr.is_milestone else kr.current_value,
                target_value=kr.target_value,
                current_value=kr.current_value,
                unit=kr.unit,
                owner_id=kr.owner_id,
                updated_by=actor,
            )
            for position, kr in enumerate(old_key_results, start=1)
        )
        for old, new in zip(old_key_results, new_key_results, strict=True):
            event_record(
                objective=carried,
                actor=actor,
                verb=ObjectiveEvent.Verb.KEY_RESULT_ADDED,
                subject=new.title,
                key_result=new,
                changes={"start_value": [shown(old.start_value), shown(new.start_value)]},
                reason=f"Carried forward from {source.cycle.name}",
            )
    return carried


def reached_targets(objective: Objective) -> list[KeyResult]:
    """Carried key results that start at their target already: the team raises the bar."""

    def reached(kr: KeyResult) -> bool:
        if kr.kind == KeyResult.Kind.INCREASE:
            return kr.start_value >= kr.target_value
        if kr.kind == KeyResult.Kind.DECREASE:
            return kr.start_value <= kr.target_value
        return False

    return [kr for kr in objective.key_results.all() if reached(kr)]
