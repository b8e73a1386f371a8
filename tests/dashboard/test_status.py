"""The status rows behind the home page and the cycle overview (dashboard/status.py).

Two promises: after every kind of write, whoever makes it, the rows equal a fresh
computation; and what the SQL reads from them at any moment (this week's check-in
missing, the cadence counts, needing attention) equals what the Python definitions
(checkins.cadence, checkins.selectors) say at that moment, in every time zone.
"""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.utils import timezone

from checkins import services as checkin_services
from checkins.cadence import Cadence, cadence, check_in_due, check_in_missing, due_since
from checkins.models import CheckIn
from checkins.reminders import NUDGE_AFTER
from checkins.selectors import signals_for_objectives
from dashboard.models import ObjectiveStatus
from dashboard.overview import cycle_weeks
from dashboard.status import COMPUTED_FIELDS, status_compute_fresh, status_refresh
from dashboard.status_live import cycle_rows, rows_refresh, status_fingerprint
from okrs import services as okr_services
from okrs.models import Objective, ObjectiveEvent
from okrs.selectors import committed_at
from okrs.services import KeyResultData
from okrs.services.workflow import comment_add
from okrs.weeks import week_start
from teams.models import Membership, Team
from tests.factories import (
    CheckInFactory,
    CycleFactory,
    KeyResultFactory,
    KeyResultUpdateFactory,
    ObjectiveEventFactory,
    TeamFactory,
    TeamObjectiveFactory,
    UserFactory,
)
from tests.fixtures.okrs import company_key_result

pytestmark = pytest.mark.django_db
State = Objective.State
# A Monday; the cycle began five weeks before it.
MONDAY = date(2026, 11, 30)
NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


@pytest.fixture
def company():
    """Teams around the world with every kind of week behind them."""
    cycle = CycleFactory(
        start_date=MONDAY - timedelta(weeks=5, days=-2),  # a Wednesday
        end_date=MONDAY + timedelta(weeks=6),
        status="active",
    )
    kr = company_key_result(cycle)
    teams = {
        "amsterdam": TeamFactory(name="Amsterdam", time_zone="Europe/Amsterdam"),
        "tokyo": TeamFactory(name="Tokyo", time_zone="Asia/Tokyo", checkin_time=time(9)),
        "new-york": TeamFactory(
            name="New York", time_zone="America/New_York", checkin_weekday=2, checkin_time=time(16)
        ),
        "sunday": TeamFactory(
            name="Sunday", time_zone="Pacific/Auckland", checkin_weekday=6, checkin_time=time(23)
        ),
        "late-commit": TeamFactory(name="Late commit", time_zone="UTC"),
        "drafting": TeamFactory(name="Drafting", time_zone="UTC"),
    }
    objectives = {}
    for slug, team in teams.items():
        objective = TeamObjectiveFactory(
            cycle=cycle,
            team=team,
            aligned_to=kr,
            state=State.DRAFT if slug == "drafting" else State.COMMITTED,
        )
        objectives[slug] = objective
        Membership.objects.create(team=team, user=UserFactory(), role="member")
        first = KeyResultFactory(
            objective=objective, kind="increase", start_value=0, target_value=100, confidence=8
        )
        KeyResultFactory(objective=objective, kind="milestone", confidence=3)
        # values over the weeks: stalled for some, a confidence drop for others
        for ago, value, confidence in [(4, 10, 9), (3, 20, 8), (2, 20, 8), (1, 20, 4)]:
            if slug in ("amsterdam", "sunday") or ago <= 2:
                KeyResultUpdateFactory(
                    key_result=first,
                    week_start=MONDAY - timedelta(weeks=ago),
                    value=value,
                    confidence=confidence,
                )
    committed_at = {"late-commit": _at(MONDAY - timedelta(weeks=1), 15)}
    for slug, moment in committed_at.items():
        ObjectiveEventFactory(
            objective=objectives[slug], verb=ObjectiveEvent.Verb.COMMITTED, created_at=moment
        )
    # check-ins: on time, late, and missing weeks
    submitted = {
        "amsterdam": [(5, 0), (4, 30), (2, 2), (0, 1)],  # (weeks ago, hours after due)
        "tokyo": [(3, 1), (1, 40)],
        "new-york": [(1, 5)],
        "sunday": [(1, 1)],
    }
    for slug, weeks in submitted.items():
        team = teams[slug]
        for ago, hours in weeks:
            monday = MONDAY - timedelta(weeks=ago)
            CheckInFactory(
                team=team,
                objective=objectives[slug],
                week_start=monday,
                state="submitted",
                submitted_at=check_in_due(team, monday) + timedelta(hours=hours),
            )
    return cycle, kr, teams, objectives


def _values(row: ObjectiveStatus) -> dict:
    # the version too: a digest of what the row shows, the same however it was reached
    return {f: getattr(row, f) for f in COMPUTED_FIELDS if f != "computed_at"}


def assert_fresh(cycle, now=NOW):
    """The stored rows, once stale ones are computed, equal a computation from scratch."""
    status_refresh(cycle, now=now)
    objectives = Objective.objects.filter(cycle=cycle, level="team")
    fresh = {row.objective_id: _values(row) for row in status_compute_fresh(objectives, now=now)}
    stored = {
        row.objective_id: _values(row)
        for row in ObjectiveStatus.objects.filter(objective__in=objectives)
    }
    assert stored == fresh
    assert not ObjectiveStatus.objects.filter(stale=True, cycle=cycle).exists()


def _moments():
    """Every seven hours for two and a half weeks after the last check-in was written:
    every weekday, hour and phase of a check-in (before its time, open, missed; this
    week's and, for a Sunday evening in Auckland, last week's) in each time zone."""
    start = _at(MONDAY + timedelta(days=1), 0)
    return [start + timedelta(hours=7 * i) for i in range(0, 60)]


@pytest.mark.dates(at=NOW)
def test_what_the_rows_say_at_any_moment_is_what_the_definitions_say(company):
    cycle, _kr, _teams, objectives = company
    by_pk = {o.pk: o for o in Objective.objects.filter(cycle=cycle, level="team")}
    annotated = {
        o.pk: o
        for o in Objective.objects.filter(pk__in=by_pk)
        .select_related("team", "cycle")
        # checkins.cadence.due_since reads when each was committed
        .annotate(committed_at=committed_at())
    }
    checkins = {(c.team_id, c.week_start): c for c in CheckIn.objects.all()}
    for now in _moments():
        rows, moment = cycle_rows(cycle, now=now)
        counted = {r.objective_id: r for r in cycle_rows(cycle, now=now, counts=True)[0]}
        today = moment.today
        monday = week_start(today)
        mondays = cycle_weeks(cycle, today)
        for row in rows:
            objective = annotated[row.objective_id]
            team = objective.team
            this_week = checkins.get((team.pk, monday))
            assert row.missing is check_in_missing(objective, this_week, now=now), (now, team)
            counts = counted[row.objective_id]
            if objective.state != State.COMMITTED:
                assert (counts.missed, counts.still_open) == (0, 0)
                continue
            since = due_since(objective, cycle)
            cells = Counter(
                cadence(team, m, checkins.get((team.pk, m)), now=now, since=since) for m in mondays
            )
            assert (counts.missed, counts.still_open, counts.on_time, counts.late) == (
                cells[Cadence.MISSED],
                cells[Cadence.OPEN],
                cells[Cadence.ON_TIME],
                cells[Cadence.LATE],
            ), (now, team.name)
        # needing attention: any signal the team page would show
        shown = list(
            Objective.objects.filter(cycle=cycle, level="team").prefetch_related("key_results")
        )
        for objective in shown:
            objective.cycle = cycle
        missing = {row.objective_id for row in rows if row.missing}
        signals = signals_for_objectives(shown, today=today, missing=missing)
        assert {row.objective_id: row.attention for row in rows} == {
            pk: bool(found) for pk, found in signals.items()
        }, now
        # what the home page reads: the same, stored for this moment, no write between
        assert_calendar_stored(rows, now)


def assert_calendar_stored(rows, now):
    """The rows' stored calendar part equals live()'s at `now`, and is looked at again
    no later than the next change: the check-in time plus grace (missing from just after
    it), or midnight."""
    for row in rows:
        assert (row.check_in_missing, row.needs_attention) == (row.missing, row.attention), (
            now,
            row.team_name,
        )
        assert row.calendar_at <= now <= row.recheck_at, (now, row.team_name)
        midnight = datetime.combine(timezone.localdate(now) + timedelta(days=1), time.min)
        assert row.recheck_at <= timezone.make_aware(midnight)


@pytest.mark.dates(at=NOW)
def test_the_stored_calendar_part_follows_the_clock_back_and_forth(company):
    """Read at every moment backwards (a clock set back), then forwards in steps shorter
    than a check-in's grace: the stored flags are live()'s at each, with no write."""
    cycle = company[0]
    moments = _moments()
    for now in [*reversed(moments), *moments[::3]]:
        rows, _ = cycle_rows(cycle, now=now)
        assert_calendar_stored(list(rows), now)
    # Each row is worked out again only when its moment comes, not on every read.
    later = moments[-1] + timedelta(minutes=1)
    rows_refresh(cycle, now=later)
    before = dict(ObjectiveStatus.objects.values_list("objective_id", "calendar_at"))
    assert rows_refresh(cycle, now=later + timedelta(seconds=30)) == 0
    assert dict(ObjectiveStatus.objects.values_list("objective_id", "calendar_at")) == before


@pytest.mark.dates(at=NOW)
def test_a_check_in_becomes_missing_in_the_stored_rows_right_after_its_grace(company):
    """Tokyo's check-in time plus the grace is when its row is looked at again, and one
    moment later it says missing, without any write."""
    cycle, _kr, teams, objectives = company
    tokyo = teams["tokyo"]
    CheckIn.objects.filter(team=tokyo, week_start=MONDAY + timedelta(weeks=1)).delete()
    monday = MONDAY + timedelta(weeks=1)
    passed = check_in_due(tokyo, monday) + NUDGE_AFTER
    rows_refresh(cycle, now=passed - timedelta(hours=1))
    row = ObjectiveStatus.objects.get(objective=objectives["tokyo"])
    assert row.check_in_missing is False
    assert row.recheck_at == passed
    rows_refresh(cycle, now=passed)  # not yet: missing from just after it
    assert ObjectiveStatus.objects.get(pk=row.pk).check_in_missing is False
    rows_refresh(cycle, now=passed + timedelta(seconds=1))
    row.refresh_from_db()
    assert row.check_in_missing is True
    assert row.needs_attention is True


def _member(team: Team):
    return Membership.objects.filter(team=team).first().user


WRITES = {
    "a recorded value": lambda c: okr_services.key_result_record(
        key_result=c[3]["tokyo"].key_results.first(),
        value=D(55),
        confidence=2,
        comment="",
        author=_member(c[2]["tokyo"]),
    ),
    "a check-in typed and submitted": lambda c: _check_in(c, "new-york"),
    "a new key result": lambda c: okr_services.key_result_create(
        objective=Objective.objects.get(pk=c[3]["drafting"].pk),
        data=KeyResultData(
            title="Invoices sent on day one",
            kind="increase",
            start_value=D(0),
            target_value=D(10),
            current_value=D(9),
            unit="",
            owner=None,
        ),
    ),
    "a key result's confidence, by a queryset update": lambda c: c[3][
        "amsterdam"
    ].key_results.update(confidence=10),
    "a key result deleted by the ORM": lambda c: c[3]["sunday"].key_results.last().delete(),
    "a team's check-in schedule": lambda c: Team.objects.filter(pk=c[2]["tokyo"].pk).update(
        checkin_weekday=4, time_zone="Europe/Lisbon"
    ),
    "a check-in deleted": lambda c: CheckIn.objects.filter(team=c[2]["amsterdam"]).delete(),
    "an objective committed": lambda c: _commit(c, "drafting"),
    "a new team objective": lambda c: TeamObjectiveFactory(
        cycle=c[0], team=TeamFactory(name="Newcomer"), aligned_to=c[1], state=State.SUBMITTED
    ),
    "an objective archived": lambda c: Objective.objects.filter(pk=c[3]["sunday"].pk).update(
        state=State.ARCHIVED
    ),
    "the cycle's dates": lambda c: okr_services.cycle_update(
        cycle=c[0], name=c[0].name, start_date=MONDAY - timedelta(weeks=3), end_date=MONDAY
    ),
}


def _check_in(company, slug):
    team = company[2][slug]
    author = _member(team)
    checkin = checkin_services.checkin_get_or_create(team=team, week=MONDAY, author=author)
    for kr in company[3][slug].key_results.all():
        for attribute, value in (("value", "1"), ("confidence", "6")):
            checkin_services.checkin_save_field(
                checkin=checkin, field=f"entry-{kr.pk}-{attribute}", value=value, base="",
                author=author,
            )  # fmt: skip
    checkin.refresh_from_db()
    checkin_services.checkin_submit(checkin=checkin, author=author)


def _commit(company, slug):
    objective = Objective.objects.get(pk=company[3][slug].pk)
    Objective.objects.filter(pk=objective.pk).update(state=State.SUBMITTED)
    objective.refresh_from_db()
    leader = UserFactory(is_leader=True)
    from okrs.services.workflow import team_objective_commit

    team_objective_commit(objective=objective, actor=leader)


@pytest.mark.dates(at=NOW)
@pytest.mark.parametrize("write", list(WRITES))
def test_after_every_kind_of_write_the_rows_equal_a_fresh_computation(company, write):
    cycle = company[0]
    assert_fresh(cycle)
    WRITES[write](company)
    cycle.refresh_from_db()
    # the write marked what it changed stale (or changed the cycle's dates)
    assert ObjectiveStatus.objects.filter(cycle=cycle, stale=True).exists() or write in (
        "the cycle's dates"
    )
    assert_fresh(cycle)


@pytest.mark.dates(at=NOW)
def test_a_write_touches_only_its_own_teams_rows(company):
    cycle, _kr, teams, objectives = company
    assert_fresh(cycle)
    WRITES["a recorded value"](company)
    assert set(
        ObjectiveStatus.objects.filter(stale=True).values_list("objective_id", flat=True)
    ) == {objectives["tokyo"].pk}
    with connection.cursor():
        computed = status_refresh(cycle, now=NOW)
    assert computed == 1


@pytest.mark.dates(at=NOW)
def test_rows_of_objectives_written_before_the_triggers_are_made_by_migrate(company):
    from dashboard.status_triggers import install_triggers

    cycle = company[0]
    ObjectiveStatus.objects.all().delete()
    install_triggers()
    assert ObjectiveStatus.objects.filter(cycle=cycle).count() == 6
    assert_fresh(cycle)


@pytest.mark.dates(at=NOW)
def test_beat_computes_the_active_cycles_stale_rows_a_thousand_at_a_time(company, monkeypatch):
    from dashboard import status
    from dashboard.tasks import status_refresh_active

    cycle = company[0]
    ObjectiveStatus.objects.update(stale=True)
    monkeypatch.setattr(status, "CHUNK", 4)  # six rows: two transactions
    assert status_refresh_active() == 6
    assert status_refresh_active() == 0
    assert_fresh(cycle)


def _fingerprint_after(cycle, write=None):
    status_refresh(cycle, now=NOW)
    if write:
        write()
        cycle.refresh_from_db()
        status_refresh(cycle, now=NOW)
    return status_fingerprint(cycle)


@pytest.mark.dates(at=NOW)
@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_the_home_page_shows_gives_new_built_pages(company, write):
    """The home page is built again after any write it shows (its key holds the status
    rows' fingerprint)."""
    cycle = company[0]
    before = _fingerprint_after(cycle)
    assert _fingerprint_after(cycle, lambda: WRITES[write](company)) != before


@pytest.mark.dates(at=NOW)
def test_a_draft_check_in_begun_or_a_comment_keeps_the_built_home_pages(company):
    """What marks a row stale yet changes nothing the home page shows keeps its version:
    a member beginning this week's check-in and typing into it, a comment."""
    cycle, _kr, teams, objectives = company
    team, author = teams["tokyo"], _member(teams["tokyo"])
    before = _fingerprint_after(cycle)

    def draft():
        checkin = checkin_services.checkin_get_or_create(team=team, week=MONDAY, author=author)
        kr = objectives["tokyo"].key_results.first()
        checkin_services.checkin_save_field(
            checkin=checkin, field=f"entry-{kr.pk}-comment", value="Two pilots", base="",
            author=author,
        )  # fmt: skip
        comment_add(objective=objectives["tokyo"], author=author, body="On it")

    marked = []

    def counted():
        draft()
        marked.extend(ObjectiveStatus.objects.filter(stale=True).values_list("pk", flat=True))

    assert _fingerprint_after(cycle, counted) == before
    assert marked, "the writes marked the row stale: it was computed again, to the same"
    assert_fresh(cycle)


@pytest.mark.dates(at=NOW)
def test_a_coach_finding_dismissed_gives_new_built_pages(company):
    """The home page counts the coach's findings on objectives waiting for review: one
    dismissed is a change it shows, though no status column changes."""
    from okrs.coaching import objective_findings
    from okrs.services.coach import coach_finding_dismiss

    cycle, _kr, teams, objectives = company
    Objective.objects.filter(pk=objectives["drafting"].pk).update(state=State.SUBMITTED)
    objective = Objective.objects.get(pk=objectives["drafting"].pk)
    findings = objective_findings(
        objective,
        list(objective.key_results.order_by("position", "id")),
        aligned_title=objective.aligned_to.title,
    )
    assert findings, "the fixture's key results give the coach something to say"
    before = _fingerprint_after(cycle)
    assert (
        _fingerprint_after(
            cycle,
            lambda: coach_finding_dismiss(
                objective=objective,
                key=findings[0].key,
                reason="We measure it elsewhere",
                actor=_member(teams["drafting"]),
            ),
        )
        != before
    )
    assert_fresh(cycle)
