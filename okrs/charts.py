"""Progress over the weeks, drawn on the server as SVG (numbers only; no user text)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.numbers import local_number
from okrs.models import Cycle, KeyResult, KeyResultUpdate
from okrs.weeks import cycle_fraction, iso_week_label, pace_value

WIDTH, HEIGHT, CONFIDENCE_HEIGHT, PAD = 320, 120, 56, 8


@dataclass(frozen=True)
class WeekPoint:
    week: date
    value: Decimal
    confidence: int | None


@dataclass
class KeyResultChart:
    value_dots: list[tuple[str, str]]
    confidence_dots: list[tuple[str, str]]
    value_points: str
    pace_points: str
    confidence_points: str
    y_top: str
    y_bottom: str
    rows: list[dict] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    confidence_height: int = CONFIDENCE_HEIGHT


def weekly_series(key_results: list[KeyResult]) -> dict[int, list[WeekPoint]]:
    """The last recorded value of each week, per key result (one query for them all)."""
    latest: dict[int, dict[date, WeekPoint]] = defaultdict(dict)
    updates = KeyResultUpdate.objects.filter(key_result__in=[kr.pk for kr in key_results])
    for key_result_id, week, value, confidence in updates.order_by("created_at", "id").values_list(
        "key_result_id", "week_start", "value", "confidence"
    ):
        latest[key_result_id][week] = WeekPoint(week, value, confidence)
    return {kr_id: [weeks[w] for w in sorted(weeks)] for kr_id, weeks in latest.items()}


def _x(day: date, cycle: Cycle) -> float:
    return PAD + float(cycle_fraction(cycle.start_date, cycle.end_date, day)) * (WIDTH - 2 * PAD)


def _scale(low: Decimal, high: Decimal, height: int):
    span = (high - low) or Decimal(1)

    def y(value: Decimal) -> float:
        return PAD + float((high - value) / span) * (height - 2 * PAD)

    return y


def _points(pairs) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in pairs)


def key_result_chart(
    key_result: KeyResult, cycle: Cycle, series: list[WeekPoint]
) -> KeyResultChart:
    """Value against the pace line, and confidence (0–10), over the cycle's weeks."""
    values = [p.value for p in series]
    bounds = [key_result.start_value, key_result.target_value, *values]
    y = _scale(min(bounds), max(bounds), HEIGHT)
    value_line = [(_x(cycle.start_date, cycle), y(key_result.start_value))]
    value_line += [(_x(p.week, cycle), y(p.value)) for p in series]
    pace_line = []
    for day in (cycle.start_date, cycle.end_date):
        pace = pace_value(
            kind=key_result.kind,
            start_value=key_result.start_value,
            target_value=key_result.target_value,
            fraction=cycle_fraction(cycle.start_date, cycle.end_date, day),
        )
        if pace is not None:
            pace_line.append((_x(day, cycle), y(pace)))
    confidence_y = _scale(Decimal(0), Decimal(10), CONFIDENCE_HEIGHT)
    confidence_line = [
        (_x(p.week, cycle), confidence_y(Decimal(p.confidence)))
        for p in series
        if p.confidence is not None
    ]
    rows = []
    for point in series:
        pace = pace_value(
            kind=key_result.kind,
            start_value=key_result.start_value,
            target_value=key_result.target_value,
            fraction=cycle_fraction(cycle.start_date, cycle.end_date, point.week),
        )
        rows.append(
            {
                "week": iso_week_label(point.week),
                "value": local_number(point.value),
                "pace": local_number(pace.quantize(Decimal("0.01"))) if pace is not None else "—",
                "confidence": "—" if point.confidence is None else point.confidence,
            }
        )
    return KeyResultChart(
        value_dots=[(f"{x:.1f}", f"{y:.1f}") for x, y in value_line[1:]],
        confidence_dots=[(f"{x:.1f}", f"{y:.1f}") for x, y in confidence_line],
        value_points=_points(value_line),
        pace_points=_points(pace_line),
        confidence_points=_points(confidence_line),
        y_top=local_number(max(bounds)),
        y_bottom=local_number(min(bounds)),
        rows=rows,
    )


def attach_charts(key_results: list[KeyResult], cycle: Cycle) -> None:
    """Give each key result a `.chart` and its `.series` (one query in all)."""
    series = weekly_series(key_results)
    for kr in key_results:
        kr.series = series.get(kr.pk, [])
        kr.chart = key_result_chart(kr, cycle, kr.series)
