"""Every write to check-ins, obstacles and experiments goes through here.

Key-result values are recorded through okrs.services.key_result_record, so the
key result's append-only history lives with the key result.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from checkins import emails
from checkins.models import CheckIn, CheckInChange, CheckInEntry, Experiment, Obstacle
from core.events import Event, emit
from core.numbers import plain_number
from core.versioning import versioned_update
from okrs import services as okr_services
from okrs.models import Cycle, KeyResult, Objective
from okrs.weeks import week_start
from teams.models import EmailOutbox, Team, User
from teams.outbox import outbox_write

ENTRY_FIELDS = ("value", "confidence", "comment")
CONFIDENCE = re.compile(r"[0-9]{1,2}")
VALUE_LIMIT = Decimal("1e12")  # the column holds 12 digits before the point
VALUE_STEP = Decimal("0.0001")  # and four after it


class FieldConflict(Exception):  # noqa: N818 - reads as what happened
    """Someone saved a different text into the same field since the editor loaded it."""

    def __init__(self, current: str):
        super().__init__("Someone else changed this field.")
        self.current = current


def this_week() -> date:
    return week_start(timezone.localdate())


def checkin_objective(*, team: Team, week: date) -> Objective:
    """The committed team objective a check-in for `week` is about, or a clear refusal."""
    if week > this_week():
        raise ValidationError(
            _("That week has not started yet: check in on weeks that have begun.")
        )
    objective = (
        Objective.objects.filter(
            team=team, level=Objective.Level.TEAM, cycle__status=Cycle.Status.ACTIVE
        )
        .exclude(state=Objective.State.ARCHIVED)
        .select_related("cycle")
        .first()
    )
    if objective is None:
        raise ValidationError(
            _("%(team)s has no objective in the active cycle.") % {"team": team.name}
        )
    if objective.state != Objective.State.COMMITTED:
        raise ValidationError(
            _("Check-ins start once the leaders have committed the team's key results.")
        )
    cycle = objective.cycle
    if week + timedelta(days=6) < cycle.start_date or week > cycle.end_date:
        raise ValidationError(
            _("That week is outside the cycle %(cycle)s.") % {"cycle": cycle.name}
        )
    return objective


def checkin_get_or_create(*, team: Team, week: date, author: User) -> CheckIn:
    """The team's check-in for the week, created on first use.

    Two members saving the first field at the same moment get the same check-in: the
    unique constraint lets one insert win, and get_or_create reads the winner's row.
    """
    existing = CheckIn.objects.filter(team=team, week_start=week).first()
    if existing is not None:
        return existing
    objective = checkin_objective(team=team, week=week)
    # The check-in and its lines together: never a check-in without its key results.
    with transaction.atomic():
        checkin, _created = CheckIn.objects.get_or_create(
            team=team, week_start=week, defaults={"objective": objective, "created_by": author}
        )
        CheckInEntry.objects.bulk_create(
            [
                CheckInEntry(checkin=checkin, key_result=kr)
                for kr in objective.key_results.order_by("position", "id")
            ],
            ignore_conflicts=True,
        )
    return checkin


def _ensure_cycle_open(checkin: CheckIn) -> None:
    """A check-in changes while its cycle is active; in review or closed it is kept as is."""
    status = (
        Cycle.objects.filter(objectives__id=checkin.objective_id)
        .values_list("status", flat=True)
        .first()
    )
    if status != Cycle.Status.ACTIVE:
        raise ValidationError(_("This check-in's cycle is over: it can no longer be changed."))


def is_editable(checkin: CheckIn | None, *, week: date, cycle: Cycle) -> bool:
    """What _ensure_editable enforces, for pages to show fields only where saving works."""
    if cycle.status != Cycle.Status.ACTIVE:
        return False
    return not (checkin is not None and checkin.is_submitted and week != this_week())


def same_text(a: str, b: str) -> bool:
    """Equal as a reader sees them: surrounding blanks and line endings do not count
    (a pause after a space, or a form post's CRLF, is no conflict)."""
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def _ensure_editable(checkin: CheckIn) -> None:
    if checkin.is_submitted and checkin.week_start != this_week():
        raise ValidationError(_("That week is over: its check-in can no longer be corrected."))
    _ensure_cycle_open(checkin)


def _clean_entry_value(field: str, raw: str) -> Decimal | int | str | None:
    raw = raw.strip()
    if "\x00" in raw:
        raise ValidationError(_("Null characters are not allowed."))
    if field == "comment":
        if len(raw) > 500:
            raise ValidationError(_("Keep the comment under 500 characters."))
        return raw
    if raw == "":
        return None
    if field == "confidence":
        # ASCII digits only: "²" or "①" pass str.isdigit() but are no confidence.
        if not CONFIDENCE.fullmatch(raw) or not 0 <= int(raw) <= 10:
            raise ValidationError(_("Confidence is a whole number from 0 to 10."))
        return int(raw)
    try:
        value = Decimal(raw.replace(",", "."))
        if value.is_finite() and abs(value) < VALUE_LIMIT:
            # Stored with four decimals: round first, so what is compared and handed
            # back as the next base is what the database keeps.
            value = value.quantize(VALUE_STEP, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValidationError("Enter a number.") from None
    if not value.is_finite() or abs(value) >= VALUE_LIMIT:
        raise ValidationError(_("Enter a number below a trillion (1,000,000,000,000)."))
    return value


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain_number(value)
    return str(value)


@dataclass(frozen=True)
class Saved:
    field: str
    value: str


def checkin_save_field(
    *, checkin: CheckIn, field: str, value: str, base: str, author: User
) -> Saved:
    """Save one field as it is typed (the draft autosave and later corrections).

    `base` is the text the editor started from. If the stored text differs from it
    (someone else saved meanwhile) and from the new text, nothing is written and
    FieldConflict carries the stored text. Corrections to a submitted check-in are
    kept as changes, and a corrected value or confidence is recorded anew on the key
    result.
    """
    with transaction.atomic():
        # The objective first, as every write to a team's OKR: a correction records the
        # value on its key result, which locks the objective (okrs.services.rules).
        okr_services.lock_objective(checkin.objective_id)
        checkin = CheckIn.objects.select_for_update(no_key=True).get(pk=checkin.pk)
        _ensure_editable(checkin)
        if field in CheckIn.TEXT_FIELDS:
            if "\x00" in value:
                raise ValidationError(_("Null characters are not allowed."))
            if len(value) > 5000:
                raise ValidationError(_("Keep it under 5,000 characters."))
            target, attribute, new = checkin, field, value
        else:
            try:
                _entry, kr_id, attribute = field.split("-", 2)
                target = CheckInEntry.objects.select_for_update(no_key=True).get(
                    checkin=checkin, key_result_id=int(kr_id)
                )
            except (ValueError, CheckInEntry.DoesNotExist):
                raise ValidationError(_("That is not a field of this check-in.")) from None
            if attribute not in ENTRY_FIELDS:
                raise ValidationError(_("That is not a field of this check-in."))
            new = _clean_entry_value(attribute, value)
        stored = _as_text(getattr(target, attribute))
        if not same_text(stored, base) and not same_text(stored, _as_text(new)):
            raise FieldConflict(stored)
        if stored == _as_text(new):
            return Saved(field, stored)
        setattr(target, attribute, new)
        target.save(update_fields=[attribute])
        if checkin.is_submitted:
            CheckInChange.objects.create(
                checkin=checkin, author=author, field=field, before=stored, after=_as_text(new)
            )
            if target is not checkin and attribute in ("value", "confidence"):
                _record_entry(target, author=author, week=checkin.week_start)
        CheckIn.objects.filter(pk=checkin.pk).update(updated_at=timezone.now())
    return Saved(field, _as_text(new))


def _record_entry(entry: CheckInEntry, *, author: User, week: date) -> None:
    if entry.value is None:
        return
    okr_services.key_result_record(
        key_result=entry.key_result,
        value=entry.value,
        confidence=entry.confidence,
        comment=entry.comment,
        author=author,
        week=week,
    )


def checkin_submit(*, checkin: CheckIn, author: User) -> CheckIn:
    """Submit the week's check-in: every key result's value and confidence are recorded."""
    with transaction.atomic():
        okr_services.lock_objective(checkin.objective_id)  # the lock order, as above
        checkin = CheckIn.objects.select_for_update(no_key=True).get(pk=checkin.pk)
        if checkin.is_submitted:
            raise ValidationError(
                _("This check-in is already submitted; corrections save as you type.")
            )
        _ensure_cycle_open(checkin)
        entries = list(
            checkin.entries.select_related("key_result").order_by("key_result__position")
        )
        missing = [e.key_result.title for e in entries if e.value is None or e.confidence is None]
        if missing:
            raise ValidationError(
                _("Give a value and a confidence for every key result first: ") + ", ".join(missing)
            )
        for entry in entries:
            _record_entry(entry, author=author, week=checkin.week_start)
        CheckIn.objects.filter(pk=checkin.pk).update(
            state=CheckIn.State.SUBMITTED, submitted_at=timezone.now(), submitted_by=author
        )
        checkin.refresh_from_db()
        emit(Event.CHECKIN_SUBMITTED, checkin=checkin, entries=entries)
    return checkin


# --- obstacles ------------------------------------------------------------------------


@transaction.atomic
def obstacle_add(
    *, team: Team, description: str, help_team: Team | None, author: User, focus: bool = False
) -> Obstacle:
    """Name an obstacle; it may ask another team for help."""
    if help_team is not None and help_team.pk == team.pk:
        raise ValidationError({"help_team": [_("Ask another team for help, not your own.")]})
    obstacle = Obstacle(team=team, description=description, help_team=help_team, raised_by=author)
    obstacle.full_clean()
    obstacle.save()
    if focus:
        obstacle_focus(obstacle=obstacle)
    if help_team is not None:
        outbox_write(emails.help_rows(obstacle, kind=EmailOutbox.Kind.HELP_REQUESTED))
        emit(Event.HELP_REQUESTED, obstacle=obstacle)
    return obstacle


@transaction.atomic
def obstacle_focus(*, obstacle: Obstacle) -> Obstacle:
    """The one obstacle the team works on now (the others wait)."""
    if not obstacle.is_open:
        raise ValidationError(_("That obstacle is already resolved."))
    Obstacle.objects.filter(team_id=obstacle.team_id, is_focus=True).update(is_focus=False)
    Obstacle.objects.filter(pk=obstacle.pk).update(is_focus=True)
    obstacle.is_focus = True
    return obstacle


@transaction.atomic
def obstacle_resolve(*, obstacle: Obstacle) -> Obstacle:
    resolved = Obstacle.objects.filter(pk=obstacle.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), is_focus=False
    )
    if not resolved:
        raise ValidationError(_("That obstacle is already resolved."))
    obstacle.refresh_from_db()
    return obstacle


@transaction.atomic
def obstacle_answer(*, obstacle: Obstacle, answer: str, author: User) -> Obstacle:
    """The asked team answers a help request; both teams then see it resolved."""
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": [_("Write how your team helps.")]})
    if "\x00" in answer or len(answer) > 2000:
        raise ValidationError(
            {"answer": [_("Keep the answer under 2,000 characters, plain text.")]}
        )
    now = timezone.now()
    answered = Obstacle.objects.filter(
        pk=obstacle.pk, help_team__isnull=False, resolved_at__isnull=True
    ).update(
        help_answer=answer, answered_by=author, answered_at=now, resolved_at=now, is_focus=False
    )
    if not answered:
        raise ValidationError(_("That request is already resolved."))
    obstacle.refresh_from_db()
    outbox_write(emails.help_rows(obstacle, kind=EmailOutbox.Kind.HELP_ANSWERED))
    emit(Event.HELP_ANSWERED, obstacle=obstacle)
    return obstacle


# --- experiments ----------------------------------------------------------------------


@dataclass(frozen=True)
class ExperimentData:
    key_result: KeyResult
    belief: str
    outcome: str
    signal: str
    status: str
    started_on: date | None
    ended_on: date | None
    result: str
    learning: str


def _experiment_rules(team: Team, data: ExperimentData) -> None:
    objective = data.key_result.objective
    if objective.team_id != team.pk or objective.state == Objective.State.ARCHIVED:
        raise ValidationError({"key_result": [_("Choose one of your team's key results.")]})
    # Results and learnings may still be written in the review; a closed cycle is kept.
    okr_services.ensure_not_closed(objective.cycle)


@transaction.atomic
def experiment_create(*, team: Team, data: ExperimentData, author: User) -> Experiment:
    """Record a hypothesis tied to one of the team's key results."""
    _experiment_rules(team, data)
    experiment = Experiment(team=team, created_by=author, **data.__dict__)
    experiment.full_clean()
    experiment.save()
    return experiment


@transaction.atomic
def experiment_update(
    *, experiment: Experiment, data: ExperimentData, expected_version: int
) -> Experiment:
    """Update an experiment unless someone else saved it since `expected_version`."""
    okr_services.ensure_not_closed(experiment.key_result.objective.cycle)
    _experiment_rules(experiment.team, data)
    candidate = Experiment(pk=experiment.pk, team=experiment.team, **data.__dict__)
    candidate._state.adding = False
    candidate.full_clean(exclude=["team", "created_by"])
    return versioned_update(
        Experiment.objects.select_related("key_result", "team"),
        pk=experiment.pk,
        expected_version=expected_version,
        values=data.__dict__,
    )
