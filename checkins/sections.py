"""The check-in section of a team page (the okrs app asks for it through settings)."""

from django.http import HttpRequest
from django.utils import timezone

from checkins import selectors
from okrs.models import Cycle, Objective
from okrs.weeks import iso_week_label, week_start
from teams.access import is_team_member
from teams.page_version import Watch

# The rows of this app a team page shows (see teams/page_version.py), all in its check-in
# section: an obstacle shows on the page of the team that raised it and of the team asked
# for help, with the other team's name. Of a check-in the page shows its week and state
# only: typing into a draft (the autosave: its text, its entries, `updated_at`) changes
# no page.
SECTION = ("checkins",)
CHECKIN_SHOWN = ("team_id", "objective_id", "week_start", "state", "submitted_at")
PAGE_WATCHES = [
    Watch("checkins_checkin", ("SELECT {row}.team_id",), columns=CHECKIN_SHOWN, sections=SECTION),
    Watch(
        "checkins_obstacle",
        ("SELECT {row}.team_id", "SELECT {row}.help_team_id"),
        sections=SECTION,
    ),
    Watch("checkins_experiment", ("SELECT {row}.team_id",), sections=SECTION),
    Watch(
        "teams_team",
        (
            "SELECT team_id FROM checkins_obstacle WHERE help_team_id = {row}.id",
            "SELECT help_team_id FROM checkins_obstacle WHERE team_id = {row}.id",
        ),
        columns=("name", "slug"),
        sections=SECTION,
    ),
]


def team_section(*, request: HttpRequest, team, okr) -> dict:
    now = timezone.now()
    today = timezone.localdate(now)
    objective = okr.objective
    # Check-ins belong to an active cycle: one in review is frozen (no check-in is due).
    committed = (
        objective is not None
        and objective.state == Objective.State.COMMITTED
        and okr.cycle.status == Cycle.Status.ACTIVE
    )
    rhythm = selectors.team_rhythm(
        team=team,
        objective=objective if committed else None,
        key_results=okr.key_results,
        now=now,
    )
    member = is_team_member(request.user, team)
    return {
        "template": "checkins/team_section.html",
        "team": team,
        "rhythm": rhythm,
        "week_label": iso_week_label(week_start(today)),
        "is_member": member,
        "committed": committed,
        "in_review": objective is not None and okr.cycle.status == Cycle.Status.REVIEW,
        "can_check_in": member and committed,
    }
