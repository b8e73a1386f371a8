from decimal import Decimal as D

import pytest

from okrs.progress import key_result_progress, objective_progress


@pytest.mark.parametrize(
    ("kind", "start", "target", "current", "expected"),
    [
        ("increase", "0", "100", "25", 25),
        ("increase", "20", "40", "30", 50),
        ("increase", "20", "40", "10", 0),  # went backwards
        ("increase", "20", "40", "60", 100),  # overshoot
        ("increase", "20", "40", "40", 100),
        ("decrease", "40", "10", "25", 50),
        ("decrease", "40", "10", "5", 100),  # overshoot downwards
        ("decrease", "40", "10", "50", 0),
        ("decrease", "9", "2", "6.5", 35),
        ("increase", "5", "5", "4", 0),  # zero range, not reached
        ("increase", "5", "5", "5", 100),  # zero range, reached
        ("decrease", "5", "5", "6", 0),
        ("decrease", "5", "5", "4", 100),
        ("stay_above", "0", "95", "96", 100),
        ("stay_above", "0", "95", "94.9", 0),
        ("stay_below", "0", "2", "2", 100),
        ("stay_below", "0", "2", "2.1", 0),
        ("milestone", "0", "1", "0", 0),
        ("milestone", "0", "1", "1", 100),
        ("increase", "-10", "10", "0", 50),  # negative start
    ],
)
def test_key_result_progress(kind, start, target, current, expected):
    assert (
        key_result_progress(kind=kind, start=D(start), target=D(target), current=D(current))
        == expected
    )


def test_objective_progress_is_the_mean_of_its_key_results():
    assert objective_progress([100, 50, 0]) == 50
    assert objective_progress([33, 34]) == 34  # rounds half to even on .5
    assert objective_progress([]) == 0


@pytest.mark.parametrize(
    ("value", "shown"),
    [(D("21.0000"), "21"), (D("100.0000"), "100"), (D("6.5000"), "6.5"), (D("-0"), "0")],
)
def test_numbers_are_shown_plainly(value, shown):
    from core.numbers import plain_number

    assert plain_number(value) == shown
