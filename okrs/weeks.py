"""ISO weeks (a check-in's week) and the pace line of a cycle."""

import re
from datetime import date, timedelta
from decimal import Decimal

ISO_WEEK = re.compile(r"^(?P<year>\d{4})-W(?P<week>\d{2})$")


def week_start(day: date) -> date:
    """The Monday of the ISO week `day` is in."""
    return day - timedelta(days=day.weekday())


def iso_week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def parse_iso_week(label: str) -> date:
    """'2026-W48' → the Monday of that week; ValueError for anything else."""
    match = ISO_WEEK.match(label or "")
    if not match:
        raise ValueError("Write the week as YYYY-Www, for example 2026-W48.")
    year, week = int(match["year"]), int(match["week"])
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no week {week}.") from None


def cycle_fraction(start: date, end: date, on: date) -> Decimal:
    """How much of the cycle has passed on `on`, 0–1 (linear over its days)."""
    total = (end - start).days
    if total <= 0:
        return Decimal(1)
    passed = min(max((on - start).days, 0), total)
    return Decimal(passed) / Decimal(total)


def pace_value(
    *, kind: str, start_value: Decimal, target_value: Decimal, fraction: Decimal
) -> Decimal | None:
    """Where the key result should be if progress were linear over the cycle."""
    if kind in ("increase", "decrease"):
        return start_value + (target_value - start_value) * fraction
    if kind in ("stay_above", "stay_below"):
        return target_value
    return None  # a milestone has no pace
