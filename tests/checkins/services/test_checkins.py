"""The weekly check-in: drafts saved field by field, conflicts, bad input, the weeks it
may be for, submitting, corrections and two first saves at once."""

import threading
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from checkins import services
from checkins.models import CheckIn, CheckInChange
from okrs.models import KeyResultUpdate, Objective
from okrs.weeks import week_start
from tests.factories import KeyResultFactory, TeamFactory, TeamObjectiveFactory
from tests.fixtures.okrs import key_results_of

# The week of a check-in is this week (of the app's local date) in a cycle around today: a
# past week's is closed, next week's not started yet.
pytestmark = pytest.mark.dates

State = Objective.State


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
