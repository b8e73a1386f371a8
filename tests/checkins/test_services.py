"""Check-in services: drafts, conflicts, submit, corrections, history, signals, pace."""

import threading
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from checkins import selectors, services
from checkins.models import CheckIn, CheckInChange, Experiment, Obstacle
from okrs.charts import key_result_chart, weekly_series
from okrs.models import KeyResultUpdate, Objective
from okrs.services import key_result_record
from okrs.weeks import cycle_fraction, iso_week_label, pace_value, parse_iso_week, week_start
from tests.factories import (
    KeyResultFactory,
    MembershipFactory,
    TeamFactory,
    TeamObjectiveFactory,
    UserFactory,
)
from tests.fixtures.checkins import experiment_data
from tests.fixtures.okrs import (
    DAY_ONE_INVOICING,
    SETUP_STEPS,
    committed_objective,
    cycle_around,
    key_results_of,
)

State = Objective.State


@pytest.fixture
def cycle(db, today):
    return cycle_around(today, before=70, after=20)


@pytest.fixture
def objective(cycle, team):
    return committed_objective(cycle, team, DAY_ONE_INVOICING, SETUP_STEPS)


def fill(checkin, objective, author, values):
    for kr, (value, confidence) in zip(key_results_of(objective), values, strict=True):
        services.checkin_save_field(
            checkin=checkin, field=f"entry-{kr.pk}-value", value=str(value), base="", author=author
        )
        services.checkin_save_field(
            checkin=checkin,
            field=f"entry-{kr.pk}-confidence",
            value=str(confidence),
            base="",
            author=author,
        )


# --- weeks and pace -------------------------------------------------------------------


def test_iso_weeks():
    assert parse_iso_week("2026-W48") == date(2026, 11, 23)
    assert iso_week_label(date(2026, 11, 23)) == "2026-W48"
    assert parse_iso_week("2026-W53") == date(2026, 12, 28)  # 2026 has 53 weeks
    for bad in ("2026-48", "2026-W54", "20x6-W01", "", "2025-W53"):
        with pytest.raises(ValueError):
            parse_iso_week(bad)
    assert week_start(date(2026, 11, 29)) == date(2026, 11, 23)  # Sunday → Monday


def test_pace_line():
    start, end = date(2026, 10, 1), date(2026, 12, 31)
    assert cycle_fraction(start, end, start) == 0
    assert cycle_fraction(start, end, end) == 1
    assert cycle_fraction(start, end, date(2027, 2, 1)) == 1
    half = cycle_fraction(start, end, start + timedelta(days=45))  # the cycle has 91 days
    assert pace_value(kind="increase", start_value=D(0), target_value=D(91), fraction=half) == 45
    assert pace_value(kind="decrease", start_value=D(9), target_value=D(3), fraction=D(1)) == 3
    assert pace_value(kind="stay_above", start_value=D(0), target_value=D(95), fraction=half) == 95
    assert pace_value(kind="milestone", start_value=D(0), target_value=D(1), fraction=half) is None


# --- the check-in -----------------------------------------------------------------------


@pytest.mark.django_db
def test_draft_submit_and_history(objective, member, lead, today):
    week = week_start(today)
    checkin = services.checkin_get_or_create(team=objective.team, week=week, author=member)
    assert checkin.entries.count() == 2
    fill(checkin, objective, member, [(27, 6), (7, 8)])
    services.checkin_save_field(
        checkin=checkin, field="next_step", value="Pre-fill company", base="", author=member
    )
    with pytest.raises(ValidationError, match="value and a confidence for every key result"):
        _submit_incomplete(objective, member, week)
    checkin = services.checkin_submit(checkin=checkin, author=lead)
    assert checkin.is_submitted and checkin.submitted_by == lead
    first, second = key_results_of(objective)
    assert (first.current_value, first.confidence) == (D(27), 6)
    assert (second.current_value, second.confidence) == (D(7), 8)
    assert KeyResultUpdate.objects.filter(week_start=week).count() == 2

    # A correction during the same week is saved, kept and recorded anew.
    services.checkin_save_field(
        checkin=checkin, field=f"entry-{first.pk}-value", value="28", base="27", author=member
    )
    change = CheckInChange.objects.get()
    assert (change.field, change.before, change.after, change.author) == (
        f"entry-{first.pk}-value",
        "27",
        "28",
        member,
    )
    first.refresh_from_db()
    assert first.current_value == D(28)
    assert list(first.updates.values_list("value", flat=True)) == [D(27), D(28)]  # append-only

    with pytest.raises(ValidationError, match="already submitted"):
        services.checkin_submit(checkin=checkin, author=lead)


def _submit_incomplete(objective, member, week):
    other_team = TeamFactory(slug="incomplete", name="Incomplete")
    other = TeamObjectiveFactory(cycle=objective.cycle, team=other_team, state=State.COMMITTED)
    KeyResultFactory(objective=other)
    checkin = services.checkin_get_or_create(team=other_team, week=week, author=member)
    services.checkin_submit(checkin=checkin, author=member)


@pytest.mark.django_db
def test_a_field_changed_by_someone_else_is_not_overwritten(objective, member, lead, today):
    checkin = services.checkin_get_or_create(
        team=objective.team, week=week_start(today), author=member
    )
    services.checkin_save_field(
        checkin=checkin, field="happened", value="Lead's text", base="", author=lead
    )
    with pytest.raises(services.FieldConflict) as conflict:
        services.checkin_save_field(
            checkin=checkin, field="happened", value="Member's text", base="", author=member
        )
    assert conflict.value.current == "Lead's text"
    checkin.refresh_from_db()
    assert checkin.happened == "Lead's text"
    # Another field saves fine at the same time: only the same field conflicts.
    services.checkin_save_field(
        checkin=checkin, field="next_step", value="Mine", base="", author=member
    )
    # Knowingly keeping one's own version, based on what is stored now.
    services.checkin_save_field(
        checkin=checkin, field="happened", value="Member's text", base="Lead's text", author=member
    )
    checkin.refresh_from_db()
    assert (checkin.happened, checkin.next_step) == ("Member's text", "Mine")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("value", "lots", "Enter a number."),
        ("value", "NaN", "Enter a number."),
        ("value", "1e400", "Enter a number."),
        ("confidence", "11", "0 to 10"),
        ("confidence", "-1", "0 to 10"),
        ("confidence", "7.5", "0 to 10"),
        ("comment", "x" * 501, "under 500"),
        ("comment", "a\x00b", "Null characters"),
    ],
)
def test_bad_entry_input_is_refused(objective, member, today, field, value, message):
    checkin = services.checkin_get_or_create(
        team=objective.team, week=week_start(today), author=member
    )
    kr = key_results_of(objective)[0]
    with pytest.raises(ValidationError, match=message):
        services.checkin_save_field(
            checkin=checkin, field=f"entry-{kr.pk}-{field}", value=value, base="", author=member
        )
    entry = checkin.entries.get(key_result=kr)
    assert (entry.value, entry.confidence, entry.comment) == (None, None, "")


@pytest.mark.django_db
def test_weeks_outside_the_rules_are_refused(objective, member, today):
    team = objective.team
    with pytest.raises(ValidationError, match="not started yet"):
        services.checkin_get_or_create(
            team=team, week=week_start(today) + timedelta(weeks=1), author=member
        )
    with pytest.raises(ValidationError, match="outside the cycle"):
        services.checkin_get_or_create(
            team=team,
            week=week_start(objective.cycle.start_date) - timedelta(weeks=2),
            author=member,
        )
    Objective.objects.filter(pk=objective.pk).update(state=State.SUBMITTED)
    with pytest.raises(ValidationError, match="committed"):
        services.checkin_get_or_create(team=team, week=week_start(today), author=member)
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
def test_a_past_weeks_submitted_checkin_is_closed(objective, member, today):
    last_week = week_start(today) - timedelta(weeks=1)
    checkin = services.checkin_get_or_create(team=objective.team, week=last_week, author=member)
    fill(checkin, objective, member, [(20, 5), (8, 7)])
    services.checkin_submit(checkin=checkin, author=member)
    with pytest.raises(ValidationError, match="week is over"):
        services.checkin_save_field(
            checkin=checkin, field="happened", value="late", base="", author=member
        )


@pytest.mark.django_db(transaction=True)
def test_two_first_saves_at_the_same_moment_make_one_checkin(objective, member, lead, today):
    """Threads with their own connections race on the unique (team, week) row."""
    week = week_start(today)
    barrier = threading.Barrier(2)
    errors, results = [], []

    def first_save(user, field, text):
        try:
            barrier.wait()
            checkin = services.checkin_get_or_create(team=objective.team, week=week, author=user)
            services.checkin_save_field(
                checkin=checkin, field=field, value=text, base="", author=user
            )
            results.append(checkin.pk)
        except Exception as error:  # noqa: BLE001 - the test reports any error
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=first_save, args=(member, "happened", "Member")),
        threading.Thread(target=first_save, args=(lead, "next_step", "Lead")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert CheckIn.objects.count() == 1
    assert len(set(results)) == 1
    checkin = CheckIn.objects.get()
    assert (checkin.happened, checkin.next_step) == ("Member", "Lead")
    assert checkin.entries.count() == 2


# --- key-result history -------------------------------------------------------------------


@pytest.mark.django_db
def test_key_result_record_appends_and_the_key_result_follows(objective, member):
    kr = key_results_of(objective)[0]
    key_result_record(key_result=kr, value=D(20), confidence=6, comment="", author=member)
    key_result_record(key_result=kr, value=D(22), confidence=5, comment="slower", author=member)
    kr.refresh_from_db()
    assert (kr.current_value, kr.confidence) == (D(22), 5)
    assert list(kr.updates.values_list("value", "confidence", "comment")) == [
        (D(20), 6, ""),
        (D(22), 5, "slower"),
    ]
    with pytest.raises(ValidationError):
        key_result_record(key_result=kr, value=D(1), confidence=11, comment="", author=member)
    Objective.objects.filter(pk=objective.pk).update(state=State.DRAFT)
    with pytest.raises(ValidationError, match="committed"):
        key_result_record(key_result=kr, value=D(30), confidence=5, comment="", author=member)
    assert kr.updates.count() == 2


@pytest.mark.django_db
def test_the_chart_holds_the_points_it_must(objective, member, today):
    kr = key_results_of(objective)[0]
    cycle = objective.cycle
    weeks = [week_start(today) - timedelta(weeks=n) for n in (2, 1, 0)]
    for week, value, confidence in zip(weeks, (20, 23, 27), (6, 7, 5), strict=True):
        key_result_record(
            key_result=kr,
            value=D(value),
            confidence=confidence,
            comment="",
            author=member,
            week=week,
        )
    series = weekly_series([kr])[kr.pk]
    assert [p.value for p in series] == [D(20), D(23), D(27)]
    chart = key_result_chart(kr, cycle, series)
    value_points = [tuple(map(float, p.split(","))) for p in chart.value_points.split()]
    assert len(value_points) == 4  # the cycle start, then one point per week
    xs = [x for x, _ in value_points]
    assert xs == sorted(xs) and xs[0] == 8.0
    ys = [y for _, y in value_points]
    assert ys[0] > ys[1] > ys[2] > ys[3]  # rising values are drawn upwards
    pace = [tuple(map(float, p.split(","))) for p in chart.pace_points.split()]
    assert pace[0] == value_points[0] and pace[1][0] == 312.0
    assert len(chart.confidence_points.split()) == 3
    assert [row["value"] for row in chart.rows] == ["20", "23", "27"]


# --- signals ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_signals(objective, member, today):
    first, second = key_results_of(objective)
    monday = week_start(today)
    for n, (a, ca, b, cb) in enumerate(
        [(20, 6, 8, 9), (22, 8, 8, 8), (24, 9, 8, 8), (26, 9, 8, 4)]
    ):
        week = monday - timedelta(weeks=4 - n)
        key_result_record(
            key_result=first, value=D(a), confidence=ca, comment="", author=member, week=week
        )
        key_result_record(
            key_result=second, value=D(b), confidence=cb, comment="", author=member, week=week
        )
    objective.refresh_from_db()
    key_results = key_results_of(objective)
    series = weekly_series(key_results)
    for kr in key_results:
        kr.objective = objective
    signals = selectors.objective_signals(
        objective, key_results, series, checked_in=False, today=today
    )
    kinds = {(s.kind, s.key_result.title if s.key_result else None) for s in signals}
    assert ("missing", None) in kinds
    assert ("stalled", "Setup steps") in kinds
    assert ("confidence_drop", "Setup steps") in kinds
    assert ("overconfident", "Day-one invoicing") in kinds  # 9/10 while far behind pace
    assert ("stalled", "Day-one invoicing") not in kinds
    quiet = selectors.objective_signals(objective, [], {}, checked_in=True, today=today)
    assert quiet == []


# --- obstacles and experiments ----------------------------------------------------------


@pytest.mark.django_db
def test_help_between_teams(objective, member, payments, stranger):
    helper = stranger  # of Payments
    obstacle = services.obstacle_add(
        team=objective.team,
        description="Bank checks take 3 days",
        help_team=payments,
        author=member,
        focus=True,
    )
    assert obstacle.is_focus
    with pytest.raises(ValidationError):
        services.obstacle_add(
            team=objective.team, description="Self help", help_team=objective.team, author=member
        )
    with pytest.raises(ValidationError):
        services.obstacle_answer(obstacle=obstacle, answer="  ", author=helper)
    services.obstacle_answer(obstacle=obstacle, answer="We verify same day now", author=helper)
    obstacle.refresh_from_db()
    assert obstacle.resolved_at and obstacle.answered_by == helper and not obstacle.is_focus
    with pytest.raises(ValidationError, match="already resolved"):
        services.obstacle_answer(obstacle=obstacle, answer="again", author=helper)


@pytest.mark.django_db
def test_one_obstacle_in_focus(objective, member):
    a = services.obstacle_add(
        team=objective.team, description="A", help_team=None, author=member, focus=True
    )
    b = services.obstacle_add(
        team=objective.team, description="B", help_team=None, author=member, focus=True
    )
    assert list(Obstacle.objects.filter(is_focus=True)) == [b]
    services.obstacle_resolve(obstacle=b)
    with pytest.raises(ValidationError):
        services.obstacle_focus(obstacle=b)
    services.obstacle_focus(obstacle=a)
    assert list(Obstacle.objects.filter(is_focus=True)) == [a]


@pytest.mark.django_db
def test_experiments(objective, member):
    kr = key_results_of(objective)[0]
    data = experiment_data(
        kr,
        belief="a pre-filled sample invoice",
        outcome="more day-one invoices",
        signal="+5 points",
        status="running",
        started_on=date(2026, 11, 2),
        ended_on=None,
        result="",
        learning="",
    )
    experiment = services.experiment_create(team=objective.team, data=data, author=member)
    other_kr = KeyResultFactory()
    with pytest.raises(ValidationError):
        services.experiment_create(
            team=objective.team,
            author=member,
            data=services.ExperimentData(**{**data.__dict__, "key_result": other_kr}),
        )
    done = services.ExperimentData(
        **{
            **data.__dict__,
            "status": "validated",
            "ended_on": date(2026, 11, 20),
            "result": "+7 points",
            "learning": "Show, don't tell",
        }
    )
    experiment = services.experiment_update(experiment=experiment, data=done, expected_version=1)
    assert (experiment.status, experiment.version) == ("validated", 2)
    from okrs.services import StaleEdit

    with pytest.raises(StaleEdit):
        services.experiment_update(experiment=experiment, data=data, expected_version=1)
    with pytest.raises(ValidationError):
        services.experiment_update(
            experiment=experiment,
            expected_version=2,
            data=services.ExperimentData(**{**done.__dict__, "ended_on": date(2026, 10, 1)}),
        )
    assert Experiment.objects.get().status == "validated"


@pytest.fixture
def member(team):
    return MembershipFactory(team=team, user=UserFactory(email="mia@example.com")).user


@pytest.mark.django_db
def test_a_pause_after_a_space_or_a_forms_line_endings_are_no_conflict(objective, member, today):
    checkin = services.checkin_get_or_create(
        team=objective.team, week=week_start(today), author=member
    )
    saved = services.checkin_save_field(
        checkin=checkin, field="happened", value="Hello ", base="", author=member
    )
    # the page's next base is what the answer said was saved
    services.checkin_save_field(
        checkin=checkin, field="happened", value="Hello world", base=saved.value, author=member
    )
    # a form post stored CRLF; htmx sends LF as the base
    services.checkin_save_field(
        checkin=checkin, field="happened", value="one\r\ntwo", base="Hello world", author=member
    )
    services.checkin_save_field(
        checkin=checkin, field="happened", value="one\ntwo three", base="one\ntwo", author=member
    )
    checkin.refresh_from_db()
    assert checkin.happened == "one\ntwo three"


@pytest.mark.django_db
def test_a_new_checkin_and_its_lines_are_written_together(objective, member, today, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services.CheckInEntry.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        services.checkin_get_or_create(team=objective.team, week=week_start(today), author=member)
    assert not CheckIn.objects.exists()
