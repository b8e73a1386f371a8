"""ISO weeks and the pace line."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from okrs.weeks import cycle_fraction, iso_week_label, pace_value, parse_iso_week, week_start


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
