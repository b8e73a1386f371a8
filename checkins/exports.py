"""The check-ins and experiments of each objective, for the cycle's JSON export."""

from django.db.models import Prefetch

from checkins.models import CheckIn, CheckInEntry, Experiment
from core.numbers import json_number


def objective_extras(objectives) -> dict[int, dict]:
    """{objective id: {"checkins": [...], "experiments": [...]}} in two queries."""
    ids = [objective.pk for objective in objectives]
    extras: dict[int, dict] = {pk: {"checkins": [], "experiments": []} for pk in ids}
    checkins = (
        CheckIn.objects.filter(objective_id__in=ids)
        .select_related("submitted_by")
        .prefetch_related(
            Prefetch("entries", queryset=CheckInEntry.objects.order_by("key_result_id"))
        )
        .order_by("week_start")
    )
    for checkin in checkins:
        extras[checkin.objective_id]["checkins"].append(
            {
                "week": checkin.week_label,
                "state": checkin.state,
                "happened": checkin.happened,
                "next_step": checkin.next_step,
                "expectation": checkin.expectation,
                "learn_by": checkin.learn_by,
                "submitted_by": None if checkin.submitted_by is None else str(checkin.submitted_by),
                "submitted_at": None
                if checkin.submitted_at is None
                else checkin.submitted_at.isoformat(),
                "entries": [
                    {
                        "key_result": entry.key_result_id,
                        "value": json_number(entry.value),
                        "confidence": entry.confidence,
                        "comment": entry.comment,
                    }
                    for entry in checkin.entries.all()
                ],
            }
        )
    experiments = (
        Experiment.objects.filter(key_result__objective_id__in=ids)
        .select_related("key_result")
        .order_by("created_at", "id")
    )
    for experiment in experiments:
        extras[experiment.key_result.objective_id]["experiments"].append(
            {
                "key_result": experiment.key_result_id,
                "we_believe_that": experiment.belief,
                "will_result_in": experiment.outcome,
                "we_will_know_when": experiment.signal,
                "status": experiment.status,
                "started_on": None
                if experiment.started_on is None
                else experiment.started_on.isoformat(),
                "ended_on": None
                if experiment.ended_on is None
                else experiment.ended_on.isoformat(),
                "result": experiment.result,
                "learning": experiment.learning,
            }
        )
    return extras
