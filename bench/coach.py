"""The coach's rules on an objective with five key results: how long one check takes.

`bench/run.py` prints the line and adds `coach_ms` to its JSON (`coach_line()`); the
issue asks for under 1 ms. Run alone: `python bench/coach.py`."""

import sys
import timeit
from decimal import Decimal as D
from pathlib import Path

if __name__ == "__main__":  # run alone: the project's root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from okrs.coach import KeyResultDraft, ObjectiveDraft, check  # noqa: E402

DRAFT = ObjectiveDraft(
    "Maintain the trust of accountancies that invoice through us",
    (
        KeyResultDraft("Launch the new onboarding flow", "milestone", D(0), D(1), False, 9, 1),
        KeyResultDraft("Net revenue retention", "increase", D(98), D(110), True, 10, 2, "%"),
        KeyResultDraft("Weekly active users", "increase", D(2000), D(2100), True, 9, 3),
        KeyResultDraft("Active users per week", "increase", D(2000), D(3000), True, 10, 4),
        KeyResultDraft("First response time in hours", "decrease", D(8), D(2), True, 9, 5),
    ),
    aligned_to="Net revenue retention above 110 %",
)


def coach_ms(number: int = 2000, repeat: int = 5) -> float:
    """Milliseconds for one check of DRAFT: the best of `repeat` runs of `number`."""
    check(DRAFT)  # warm: regular expressions compiled, word lists built
    return min(timeit.repeat(lambda: check(DRAFT), number=number, repeat=repeat)) / number * 1000


def coach_line() -> tuple[str, dict]:
    """The line `make bench` prints and its JSON figures."""
    ms = coach_ms()
    verdict = "ok" if ms < 1 else "over the 1 ms budget"
    return f"coach: {ms:.3f} ms per objective with five key results ({verdict})", {
        "coach_ms": round(ms, 4)
    }


if __name__ == "__main__":
    print(coach_line()[0])
