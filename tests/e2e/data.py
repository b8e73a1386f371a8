"""The companies the browser journeys start from."""

from decimal import Decimal

from django.utils import timezone

from tests.factories import MembershipFactory, TeamFactory
from tests.fixtures.okrs import (
    committed_objective,
    company_key_result,
    cycle_around,
    key_results_of,
)

COMPANY_KR = "Median days to first paid invoice"
DAY_ONE_KR = "New accounts sending an invoice on day one"
DAYS_KR = "Days from sign-up to first sent invoice"


def onboarding_committed():
    """An active cycle around today, the company OKR, and Onboarding's committed OKR
    with two key results, a lead and a member."""
    cycle = cycle_around(timezone.localdate(), before=60, after=30, name="This quarter")
    company_kr = company_key_result(
        cycle,
        title=COMPANY_KR,
        kind="decrease",
        start_value=Decimal(14),
        target_value=Decimal(5),
        current_value=Decimal(12),
        unit="days",
    )
    team = TeamFactory(name="Onboarding", slug="onboarding")
    objective = committed_objective(
        cycle,
        team,
        {
            "title": DAY_ONE_KR,
            "kind": "increase",
            "start_value": Decimal(18),
            "target_value": Decimal(40),
            "current_value": Decimal(22),
            "unit": "%",
        },
        {
            "title": DAYS_KR,
            "kind": "decrease",
            "start_value": Decimal(9),
            "target_value": Decimal(4),
            "current_value": Decimal("8.5"),
            "unit": "days",
        },
        aligned_to=company_kr,
    )
    day_one, days = key_results_of(objective)
    lead = MembershipFactory(
        team=team, role="lead", user__email="lead@example.com", user__name="Theo Lead"
    ).user
    member = MembershipFactory(
        team=team, user__email="member@example.com", user__name="Nora Member"
    ).user
    return {
        "team": team,
        "krs": {DAY_ONE_KR: day_one, DAYS_KR: days},
        "lead": lead,
        "member": member,
    }
