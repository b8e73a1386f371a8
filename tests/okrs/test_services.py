from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from okrs import services
from okrs.models import Cycle, KeyResult, Objective
from tests.factories import (
    CompanyObjectiveFactory,
    CycleFactory,
    KeyResultFactory,
    TeamObjectiveFactory,
)
from tests.fixtures.okrs import key_result_data as kr_data

pytestmark = pytest.mark.django_db

# A cycle starts within five years of today (okrs.models.MAX_YEARS_AWAY): the tests that
# create cycles of 2027 run in late 2026, their fixtures (signing in) too.
LATE_2026 = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.mark.dates(at=LATE_2026)
def test_cycle_create_refuses_an_end_before_the_start():
    with pytest.raises(ValidationError) as error:
        services.cycle_create(name="Q1", start_date=date(2027, 3, 31), end_date=date(2027, 1, 1))
    assert "end date must be after the start date" in str(error.value)
    assert not Cycle.objects.exists()


@pytest.mark.dates(at=LATE_2026)
def test_cycle_activate_keeps_one_active_cycle():
    first = services.cycle_create(
        name="Q1", start_date=date(2027, 1, 1), end_date=date(2027, 3, 31)
    )
    second = services.cycle_create(
        name="Q2", start_date=date(2027, 4, 1), end_date=date(2027, 6, 30)
    )
    services.cycle_activate(cycle=first)
    with pytest.raises(ValidationError, match="already active"):
        services.cycle_activate(cycle=second)
    second.refresh_from_db()
    assert second.status == Cycle.Status.PLANNING
    services.cycle_close(cycle=first)
    assert services.cycle_activate(cycle=second).status == Cycle.Status.ACTIVE


def test_second_company_objective_is_refused_with_a_message():
    objective = CompanyObjectiveFactory()
    with pytest.raises(ValidationError, match="already has its company objective"):
        services.company_objective_create(cycle=objective.cycle, title="Another", context="")
    assert Objective.objects.filter(cycle=objective.cycle).count() == 1


@pytest.mark.parametrize(
    ("title", "message"),
    [("x" * 10_000, "at most 200 characters"), ("", "This field cannot be blank")],
)
def test_objective_title_is_validated(title, message):
    cycle = CycleFactory()
    with pytest.raises(ValidationError, match=message):
        services.company_objective_create(cycle=cycle, title=title, context="")
    assert not Objective.objects.exists()


def test_key_result_create_appends_and_stops_at_five():
    objective = CompanyObjectiveFactory()
    created = [
        services.key_result_create(objective=objective, data=kr_data(title=f"KR {i}"))
        for i in range(5)
    ]
    assert [kr.position for kr in created] == [1, 2, 3, 4, 5]
    with pytest.raises(ValidationError, match="at most 5 key results"):
        services.key_result_create(objective=objective, data=kr_data(title="Sixth"))
    assert objective.key_results.count() == 5


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"target_value": D(21)}, "target_value", "must differ from the start"),
        ({"target_value": D(10)}, "target_value", "target must be above the start"),
        ({"kind": "decrease", "target_value": D(50)}, "target_value", "must be below the start"),
        ({"kind": "milestone", "current_value": D("0.5")}, "current_value", "done (1) or not"),
        ({"title": "x" * 10_000}, "title", "at most 200 characters"),
    ],
)
def test_key_result_rules(overrides, field, message):
    objective = CompanyObjectiveFactory()
    with pytest.raises(ValidationError) as error:
        services.key_result_create(objective=objective, data=kr_data(**overrides))
    assert message in " ".join(error.value.message_dict[field])
    assert not KeyResult.objects.exists()


def test_milestones_are_stored_as_zero_to_one():
    objective = CompanyObjectiveFactory()
    kr = services.key_result_create(
        objective=objective,
        data=kr_data(kind="milestone", start_value=D(7), target_value=D(7), current_value=D(1)),
    )
    assert (kr.start_value, kr.target_value, kr.progress) == (0, 1, 100)


def test_key_result_update_bumps_the_version():
    kr = KeyResultFactory()
    updated = services.key_result_update(
        key_result=kr, data=kr_data(current_value=D(30)), expected_version=1
    )
    assert updated.version == 2
    assert updated.current_value == D(30)


def test_stale_key_result_update_changes_nothing_and_reports_current_values():
    kr = KeyResultFactory(current_value=D(25))
    services.key_result_update(key_result=kr, data=kr_data(current_value=D(30)), expected_version=1)
    with pytest.raises(services.StaleEdit) as stale:
        services.key_result_update(
            key_result=kr, data=kr_data(current_value=D(99)), expected_version=1
        )
    assert stale.value.current.current_value == D(30)
    kr.refresh_from_db()
    assert (kr.current_value, kr.version) == (D(30), 2)


def test_stale_objective_update_is_refused():
    objective = CompanyObjectiveFactory()
    services.objective_update(objective=objective, title="New", context="", expected_version=1)
    with pytest.raises(services.StaleEdit):
        services.objective_update(
            objective=objective, title="Older edit", context="", expected_version=1
        )
    objective.refresh_from_db()
    assert objective.title == "New"


@pytest.mark.parametrize("state", [Objective.State.PROPOSED, Objective.State.ARCHIVED])
def test_a_proposed_or_archived_team_objective_is_not_reworded(state):
    objective = TeamObjectiveFactory(state=state, cycle__status=Cycle.Status.ACTIVE)
    before = (objective.title, objective.context, objective.version)
    with pytest.raises(ValidationError):
        services.objective_update(
            objective=objective, title="Reworded", context="", expected_version=1
        )
    objective.refresh_from_db()
    assert (objective.title, objective.context, objective.version) == before


def test_key_result_move_swaps_neighbours():
    objective = CompanyObjectiveFactory()
    a, b, c = (KeyResultFactory(objective=objective, position=i) for i in (1, 2, 3))
    services.key_result_move(key_result=c, direction="up")
    assert list(objective.key_results.order_by("position")) == [a, c, b]
    services.key_result_move(key_result=a, direction="up")  # already first: no change
    assert list(objective.key_results.order_by("position")) == [a, c, b]
    with pytest.raises(ValidationError):
        services.key_result_move(key_result=a, direction="sideways")


def test_a_closed_cycle_is_read_only():
    kr = KeyResultFactory(objective__cycle__status=Cycle.Status.CLOSED)
    with pytest.raises(ValidationError, match="closed"):
        services.key_result_update(key_result=kr, data=kr_data(), expected_version=1)
    with pytest.raises(ValidationError, match="closed"):
        services.key_result_delete(key_result=kr)
    assert KeyResult.objects.filter(pk=kr.pk).exists()
