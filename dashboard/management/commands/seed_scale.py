"""Synthetic data at company scale: python manage.py seed_scale --teams N --weeks W."""

import time

from django.core.management.base import BaseCommand, CommandParser

from dashboard.seed import seed_scale


class Command(BaseCommand):
    help = (
        "Create N teams with members, one committed objective each with three key results, "
        "W weeks of check-ins and experiments, a leadership team and a company OKR, in a new "
        "active cycle (the active cycle before it is closed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--teams", type=int, default=100)
        parser.add_argument("--weeks", type=int, default=12)
        parser.add_argument("--seed", type=int, default=7, help="random seed (same data each run)")

    def handle(self, *args, teams: int, weeks: int, seed: int, **options) -> None:
        if teams < 1 or not 1 <= weeks <= 52:
            self.stderr.write("Give at least one team and between 1 and 52 weeks.")
            raise SystemExit(2)
        started = time.perf_counter()
        company = seed_scale(teams=teams, weeks=weeks, seed=seed)
        self.stdout.write(
            f"Seeded {teams} teams x {weeks} weeks in cycle “{company.cycle.name}” "
            f"in {time.perf_counter() - started:.1f} s. Leaders: "
            + ", ".join(u.email for u in company.leaders)
        )
