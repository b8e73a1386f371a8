"""Data sets shared by the benchmarks and the delivery tests."""

from datetime import UTC, date, datetime, time

from okrs.models import Cycle, KeyResult, Objective
from teams.models import Membership, Team, User

DUE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam


def make_due_teams(n: int, *, due: datetime = DUE) -> list[str]:
    """n teams with one member each, a committed objective and a reminder due at `due`.

    Written with bulk inserts: a thousand teams take well under a second."""
    cycle = Cycle.objects.filter(status=Cycle.Status.ACTIVE).first() or Cycle.objects.create(
        name="Q4 2026",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        status=Cycle.Status.ACTIVE,
    )
    company = Objective.objects.get_or_create(
        cycle=cycle, level="company", defaults={"title": "Company", "state": "committed"}
    )[0]
    company_kr = KeyResult.objects.create(
        objective=company, title="NPS", start_value=0, target_value=10
    )
    teams = Team.objects.bulk_create(
        Team(
            name=f"Team {i:05d}",
            slug=f"team-{i:05d}",
            time_zone="Europe/Amsterdam",
            checkin_weekday=0,
            checkin_time=time(10, 0),
            next_reminder_at=due,
        )
        for i in range(n)
    )
    users = User.objects.bulk_create(
        User(email=f"member{i:05d}@example.com", name=f"Member {i}", password="!") for i in range(n)
    )
    Membership.objects.bulk_create(
        Membership(team=t, user=u, role="lead") for t, u in zip(teams, users, strict=True)
    )
    objectives = Objective.objects.bulk_create(
        Objective(
            cycle=cycle,
            level="team",
            team=t,
            title=f"Objective of {t.name}",
            aligned_to=company_kr,
            state="committed",
        )
        for t in teams
    )
    KeyResult.objects.bulk_create(
        KeyResult(
            objective=o, title="A key result", start_value=0, target_value=10, current_value=3
        )
        for o in objectives
    )
    return [u.email for u in users]
