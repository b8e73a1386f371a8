"""What a webhook says: a small JSON body per event, with absolute links back to the pages
(from SITE_URL), following the Standard Webhooks shape `{"type", "timestamp", "data"}`.

`subject_teams(event, **subjects)` names the teams whose endpoints hear of it (None: every
endpoint, as for a cycle's events); `build(event, **subjects)` is the body, built only
when some endpoint wants it. No email address or free text beyond titles goes out.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from core.emails import absolute_url
from core.events import Event
from okrs.weeks import iso_week_label
from webhooks.models import TEST_EVENT

ALL_TEAMS = None


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _team(team) -> dict[str, Any] | None:
    if team is None:
        return None
    return {
        "slug": team.slug,
        "name": team.name,
        "url": absolute_url(reverse("dashboard:team-detail", args=[team.slug])),
    }


def _cycle(cycle) -> dict[str, Any]:
    return {
        "id": cycle.pk,
        "name": cycle.name,
        "status": cycle.status,
        "url": absolute_url(reverse("okrs:cycle-detail", args=[cycle.pk])),
    }


def _objective(objective) -> dict[str, Any]:
    return {
        "id": objective.pk,
        "title": objective.title,
        "state": objective.state,
        "url": absolute_url(reverse("okrs:objective-history", args=[objective.pk])),
    }


def _key_result(key_result, *, value=None, confidence=None) -> dict[str, Any]:
    return {
        "id": key_result.pk,
        "title": key_result.title,
        "unit": key_result.unit,
        "value": _number(value if value is not None else key_result.current_value),
        "target": _number(key_result.target_value),
        "confidence": confidence,
        "url": absolute_url(reverse("okrs:key-result-history", args=[key_result.pk])),
    }


def subject_teams(event: str, **subjects: Any) -> list[int] | None:
    """The ids of the teams the event is about (their endpoints and the company's hear
    it), or ALL_TEAMS."""
    if event in (Event.CYCLE_REVIEW_STARTED, Event.CYCLE_CLOSED):
        return ALL_TEAMS
    if event in (Event.HELP_REQUESTED, Event.HELP_ANSWERED):
        obstacle = subjects["obstacle"]
        return [obstacle.team_id, obstacle.help_team_id]
    if event == Event.KEY_RESULT_VALUE_RECORDED:
        team_id = subjects["key_result"].objective.team_id
        return [team_id] if team_id else []
    if event == Event.CHECKIN_SUBMITTED:
        return [subjects["checkin"].team_id]
    return [subjects["objective"].team_id]


def _data(event: str, **subjects: Any) -> dict[str, Any]:
    if event in (Event.CYCLE_REVIEW_STARTED, Event.CYCLE_CLOSED):
        cycle = subjects["cycle"]
        data = {"cycle": _cycle(cycle)}
        if cycle.review_until:
            data["cycle"]["review_until"] = cycle.review_until.isoformat()
        return data
    if event in (Event.HELP_REQUESTED, Event.HELP_ANSWERED):
        obstacle = subjects["obstacle"]
        data = {
            "team": _team(obstacle.team),
            "help_team": _team(obstacle.help_team),
            "obstacle": {"id": obstacle.pk, "description": obstacle.description[:500]},
        }
        if event == Event.HELP_ANSWERED:
            data["obstacle"]["answer"] = obstacle.help_answer[:500]
        return data
    if event == Event.KEY_RESULT_VALUE_RECORDED:
        update, key_result = subjects["update"], subjects["key_result"]
        objective = key_result.objective
        return {
            "team": _team(objective.team),
            "objective": _objective(objective),
            "key_result": _key_result(key_result, value=update.value, confidence=update.confidence),
            "week": iso_week_label(update.week_start),
        }
    if event == Event.CHECKIN_SUBMITTED:
        checkin, entries = subjects["checkin"], subjects["entries"]
        week = iso_week_label(checkin.week_start)
        return {
            "team": _team(checkin.team),
            "objective": _objective(checkin.objective),
            "checkin": {
                "week": week,
                "url": absolute_url(reverse("checkins:week", args=[checkin.team.slug, week])),
            },
            "key_results": [
                _key_result(e.key_result, value=e.value, confidence=e.confidence) for e in entries
            ],
        }
    objective = subjects["objective"]
    data = {"team": _team(objective.team), "objective": _objective(objective)}
    if event == Event.OBJECTIVE_CHALLENGED:
        data["aspects"] = list(subjects["comment"].aspects)
    return data


def envelope(event: str, data: dict[str, Any], *, at: datetime | None = None) -> dict[str, Any]:
    at = at or timezone.now()
    return {"type": str(event), "timestamp": at.isoformat(), "data": data}


def build(event: str, **subjects: Any) -> dict[str, Any]:
    return envelope(event, _data(event, **subjects))


def test_payload(endpoint) -> dict[str, Any]:
    """The body of "send a test event": who registered the endpoint, and where."""
    target = (
        absolute_url(reverse("webhooks:endpoint", args=[endpoint.pk]))
        if endpoint.pk
        else absolute_url("/")
    )
    return envelope(
        TEST_EVENT, {"endpoint": {"id": endpoint.pk, "url": target}, "team": _team(endpoint.team)}
    )
