"""Models into the API's JSON shapes (api/schemas.py describes them)."""

from decimal import Decimal

from django.urls import reverse

from api.selectors import TeamObjective
from checkins.models import CheckIn, Experiment
from okrs.models import Cycle, KeyResult, KeyResultUpdate
from okrs.weeks import iso_week_label

FOUR_PLACES = Decimal("0.0001")


def cycle_out(cycle: Cycle) -> dict:
    return {
        "id": cycle.pk,
        "name": cycle.name,
        "start_date": cycle.start_date,
        "end_date": cycle.end_date,
        "status": cycle.status,
    }


def key_result_out(kr: KeyResult) -> dict:
    return {
        "id": kr.pk,
        "title": kr.title,
        "kind": kr.kind,
        "start_value": kr.start_value,
        "target_value": kr.target_value,
        "current_value": kr.current_value,
        "unit": kr.unit,
        "progress": kr.progress,
        "confidence": kr.confidence,
        "version": kr.version,
        "updated_at": kr.updated_at,
    }


def value_out(update: KeyResultUpdate) -> dict:
    author = update.author
    return {
        "id": update.pk,
        "value": Decimal(update.value).quantize(FOUR_PLACES),
        "confidence": update.confidence,
        "comment": update.comment,
        "author": (author.name or author.email) if author else None,
        "week": iso_week_label(update.week_start),
        "recorded_at": update.created_at,
    }


def team_objective_out(found: TeamObjective) -> dict:
    objective = found.objective
    confidences = [kr.confidence for kr in found.key_results if kr.confidence is not None]
    return {
        "team": found.team.slug,
        "cycle": cycle_out(objective.cycle),
        "id": objective.pk,
        "title": objective.title,
        "state": objective.state,
        "version": objective.version,
        "progress": found.progress,
        "confidence": min(confidences) if confidences else None,
        "signals": [
            {
                "kind": signal.kind,
                "text": signal.text,
                "key_result_id": signal.key_result.pk if signal.key_result else None,
            }
            for signal in found.signals
        ],
        "key_results": [
            key_result_out(kr) | {"history": [value_out(u) for u in found.history[kr.pk]]}
            for kr in found.key_results
        ],
        "url": reverse("dashboard:team-detail", args=[found.team.slug]),
    }


def checkin_out(checkin: CheckIn) -> dict:
    submitter = checkin.submitted_by
    return {
        "week": iso_week_label(checkin.week_start),
        "state": checkin.state,
        "happened": checkin.happened,
        "next_step": checkin.next_step,
        "expectation": checkin.expectation,
        "learn_by": checkin.learn_by,
        "submitted_at": checkin.submitted_at,
        "submitted_by": (submitter.name or submitter.email) if submitter else None,
        "entries": [
            {
                "key_result_id": entry.key_result_id,
                "value": entry.value,
                "confidence": entry.confidence,
                "comment": entry.comment,
            }
            for entry in checkin.entries.all()
        ],
    }


def experiment_out(experiment: Experiment) -> dict:
    return {
        "id": experiment.pk,
        "key_result_id": experiment.key_result_id,
        "key_result": experiment.key_result.title,
        "belief": experiment.belief,
        "outcome": experiment.outcome,
        "signal": experiment.signal,
        "status": experiment.status,
        "started_on": experiment.started_on,
        "ended_on": experiment.ended_on,
        "result": experiment.result,
        "learning": experiment.learning,
    }


def page_out(page, items: list[dict]) -> dict:
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": items,
    }
