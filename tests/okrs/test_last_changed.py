"""A key result says who changed it last and when: a target edit, a recorded value and a
score each move "Last changed by … on …" (a queryset update skipped `auto_now`)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
import time_machine

from okrs import services
from okrs.models import KeyResult
from okrs.services import reviews
from tests.fixtures.okrs import DAY_ONE_INVOICING, committed_objective, cycle_around

# 'Last changed … on …' is written in the app's time zone, at moments the tests fix.
pytestmark = [pytest.mark.django_db, pytest.mark.dates]
CREATED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def kr(team, lead):
    with time_machine.travel(CREATED, tick=False):
        today = CREATED.date()
        objective = committed_objective(
            cycle_around(today, before=30, after=60), team, DAY_ONE_INVOICING
        )
        return objective.key_results.get()


def _data(kr, **changes):
    values = {name: getattr(kr, name) for name in services.key_results.KEY_RESULT_FIELDS}
    return services.KeyResultData(**{**values, **changes})


@pytest.mark.parametrize("change", ["target", "value", "score"])
def test_each_change_moves_last_changed(kr, lead, change):
    later = CREATED + timedelta(days=3, hours=5)
    with time_machine.travel(later, tick=False):
        if change == "target":
            services.key_result_update(
                key_result=kr,
                data=_data(kr, target_value=D(60)),
                expected_version=kr.version,
                actor=lead,
                reason="Bolder",
            )
        elif change == "value":
            services.key_result_record(
                key_result=kr, value=D(30), confidence=6, comment="", author=lead
            )
        else:
            reviews.key_result_score(
                key_result=kr, score=D("0.3"), reason="Slow start", expected_version=1, actor=lead
            )
    kr = KeyResult.objects.get(pk=kr.pk)
    assert kr.updated_at == later and kr.updated_by == lead
