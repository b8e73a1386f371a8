"""A key result's recorded values, its chart, and the signals a team objective gives."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from checkins import selectors
from okrs.charts import key_result_chart, weekly_series
from okrs.models import Objective
from okrs.services import key_result_record
from okrs.weeks import week_start
from tests.fixtures.okrs import key_results_of

# Values are recorded for weeks counted back from this week; the signals (stalled for three
# weeks, behind the pace line) and the chart follow today.
pytestmark = pytest.mark.dates

State = Objective.State


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
    signals = selectors.objective_signals(objective, key_results, series, missing=True, today=today)
    kinds = {(s.kind, s.key_result.title if s.key_result else None) for s in signals}
    assert ("missing", None) in kinds
    assert ("stalled", "Setup steps") in kinds
    assert ("confidence_drop", "Setup steps") in kinds
    assert ("overconfident", "Day-one invoicing") in kinds  # 9/10 while far behind pace
    assert ("stalled", "Day-one invoicing") not in kinds
    quiet = selectors.objective_signals(objective, [], {}, missing=False, today=today)
    assert quiet == []
