"""An idempotent demo company: leaders, teams and an active cycle with its company OKR."""

from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from okrs import services, workflow
from okrs.models import Cycle, KeyResult, Objective
from teams.models import Membership, Team, User

DEMO_PASSWORD = "lean-okrs-demo"

PEOPLE = [
    # email, name, leader, superuser
    ("leader@example.com", "Lena Leader", True, True),
    ("lead@example.com", "Luis Lead", False, False),
    ("member@example.com", "Mia Member", False, False),
    ("cto@example.com", "Chen Okafor", True, False),
    ("payments.lead@example.com", "Priya Shah", False, False),
    ("growth.lead@example.com", "Gustav Berg", False, False),
]

TEAMS = [
    (
        "Onboarding",
        "onboarding",
        "Gets a new account from sign-up to its first paid invoice.",
        [("lead@example.com", "lead"), ("member@example.com", "member")],
    ),
    (
        "Payments",
        "payments",
        "Makes getting paid fast and dependable: payment links, reminders, reconciliation.",
        [("payments.lead@example.com", "lead"), ("member@example.com", "member")],
    ),
    (
        "Growth",
        "growth",
        "Finds and grows the channels that bring us customers who stay.",
        [("growth.lead@example.com", "lead")],
    ),
]

OBJECTIVE = (
    "Become the invoicing tool small businesses recommend to each other",
    "Most of last year's growth came from paid ads whose cost per sign-up doubled, while "
    "the customers who stay longest came from referrals. If customers get paid faster "
    "with Tidewater than anywhere else, they will tell their peers, and growth stops "
    "depending on ad spend. This quarter we focus on that one thing.",
)

KEY_RESULTS = [
    # title, kind, start, target, current, unit, owner
    ("Net promoter score rises", "increase", "21", "45", "29", "NPS", "leader@example.com"),
    (
        "New accounts that come from a referral",
        "increase",
        "12",
        "30",
        "16",
        "%",
        "growth.lead@example.com",
    ),
    (
        "Median time from sign-up to first paid invoice",
        "decrease",
        "9",
        "2",
        "6.5",
        "days",
        "lead@example.com",
    ),
]


TEAM_OBJECTIVES = [
    # team slug, title, why, index of the company key result it moves, key results, end state
    (
        "onboarding",
        "New accounts send their first invoice on their first day",
        "Customers who get paid quickly tell their peers. Today most new accounts stall "
        "in setup before their first invoice; that is the hard problem we take on.",
        2,
        [
            ("Sign-ups who send an invoice within 24 hours", "increase", "18", "50", "27", "%"),
            ("Setup steps before the first invoice", "decrease", "9", "3", "7", "steps"),
        ],
        "committed",
    ),
    (
        "payments",
        "Customers get paid before the due date",
        "Late payments are the top complaint among detractors in our NPS survey.",
        0,
        [("Invoices paid by their due date", "increase", "61", "80", "63", "%")],
        "submitted",
    ),
    (
        "growth",
        "Happy customers invite their peers without being asked",
        "Referral customers stay twice as long; we rarely ask for referrals at the right moment.",
        1,
        [],
        "proposed",
    ),
]


def _quarter(today: date) -> tuple[str, date, date]:
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = date(today.year, first_month, 1)
    end = date(today.year + 1, 1, 1) if first_month == 10 else date(today.year, first_month + 3, 1)
    return f"Q{(first_month - 1) // 3 + 1} {today.year}", start, end - timezone.timedelta(days=1)


class Command(BaseCommand):
    help = "Create the demo company (idempotent): people, teams and an active company OKR."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        people = {}
        for email, name, leader, superuser in PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email, password=DEMO_PASSWORD, name=name, is_leader=leader
                )
                user.is_staff = user.is_superuser = superuser
                user.save()
            people[email] = user

        for name, slug, purpose, members in TEAMS:
            team, _ = Team.objects.get_or_create(
                slug=slug, defaults={"name": name, "purpose": purpose}
            )
            for email, role in members:
                Membership.objects.get_or_create(
                    team=team, user=people[email], defaults={"role": role}
                )

        cycle = Cycle.objects.filter(status=Cycle.Status.ACTIVE).first()
        if cycle is None:
            name, start, end = _quarter(timezone.localdate())
            cycle = Cycle.objects.filter(name=name).first() or services.cycle_create(
                name=name, start_date=start, end_date=end
            )
            if cycle.status == Cycle.Status.PLANNING:
                cycle = services.cycle_activate(cycle=cycle)

        objective = Objective.objects.filter(cycle=cycle, level=Objective.Level.COMPANY).first()
        if objective is None:
            objective = services.company_objective_create(
                cycle=cycle, title=OBJECTIVE[0], context=OBJECTIVE[1]
            )
            for title, kind, start, target, current, unit, owner in KEY_RESULTS:
                services.key_result_create(
                    objective=objective,
                    data=services.KeyResultData(
                        title=title,
                        kind=kind,
                        start_value=Decimal(start),
                        target_value=Decimal(target),
                        current_value=Decimal(current),
                        unit=unit,
                        owner=people[owner],
                    ),
                )

        self._seed_team_objectives(cycle, objective, people)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo company ready: {cycle.name} with "
                f"{KeyResult.objects.filter(objective=objective).count()} company key results."
            )
        )
        self.stdout.write("Sign in with any of these (password: lean-okrs-demo):")
        self.stdout.write("  leader@example.com  leader (also admin)")
        self.stdout.write("  lead@example.com    team lead of Onboarding")
        self.stdout.write("  member@example.com  member of Onboarding and Payments")

    def _seed_team_objectives(self, cycle: Cycle, company: Objective, people: dict) -> None:
        company_krs = list(company.key_results.order_by("position", "id"))
        leader = people["leader@example.com"]
        for slug, title, why, kr_index, key_results, state in TEAM_OBJECTIVES:
            team = Team.objects.get(slug=slug)
            if Objective.objects.filter(cycle=cycle, team=team).exists():
                continue
            lead = Membership.objects.filter(team=team, role="lead").first().user
            if state == "proposed":
                workflow.team_objective_propose(
                    cycle=cycle,
                    team=team,
                    title=title,
                    context=why,
                    aligned_to=company_krs[kr_index],
                    actor=lead,
                )
                continue
            objective = workflow.team_objective_define(
                cycle=cycle,
                team=team,
                title=title,
                context=why,
                aligned_to=company_krs[kr_index],
                actor=leader,
            )
            for kr_title, kind, start, target, current, unit in key_results:
                services.key_result_create(
                    objective=objective,
                    data=services.KeyResultData(
                        title=kr_title,
                        kind=kind,
                        start_value=Decimal(start),
                        target_value=Decimal(target),
                        current_value=Decimal(current),
                        unit=unit,
                        owner=lead,
                    ),
                    actor=lead,
                )
            objective = workflow.team_objective_submit(objective=objective, actor=lead)
            if state == "committed":
                workflow.team_objective_commit(objective=objective, actor=leader)
