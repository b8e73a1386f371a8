"""An idempotent demo company: leaders, teams and an active cycle with its company OKR."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from okrs import services
from okrs.models import Cycle, KeyResult, Objective
from okrs.services import workflow
from okrs.weeks import week_start
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
        self._seed_checkins(cycle, people)
        self._seed_last_cycle(cycle, people)

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

    def _seed_checkins(self, cycle: Cycle, people: dict) -> None:
        """Weeks of Onboarding check-ins up to last week, an experiment and a help request."""
        from checkins import services as checkin_services
        from checkins.models import CheckIn, Experiment, Obstacle

        team = Team.objects.get(slug="onboarding")
        if CheckIn.objects.filter(team=team).exists():
            return
        lead, member = people["lead@example.com"], people["member@example.com"]
        objective = Objective.objects.get(cycle=cycle, team=team, state="committed")
        krs = list(objective.key_results.order_by("position"))
        this_week = checkin_services.this_week()
        weeks = []
        week = week_start(cycle.start_date)
        while week < this_week:
            weeks.append(week)
            week += timedelta(weeks=1)
        weeks = weeks[-8:]
        # (value, confidence) per week for each key result: an honest, uneven story.
        invoicing = [18, 19, 21, 21, 23, 24, 26, 27]
        invoicing_confidence = [6, 6, 7, 6, 6, 6, 5, 5]
        steps = [9, 9, 8, 8, 8, 7, 7, 7]
        steps_confidence = [7, 7, 7, 8, 7, 7, 8, 8]
        offset = len(invoicing) - len(weeks)
        for i, monday in enumerate(weeks):
            j = i + offset
            checkin = checkin_services.checkin_get_or_create(team=team, week=monday, author=lead)
            values = [
                (krs[0], invoicing[j], invoicing_confidence[j]),
                (krs[1], steps[j], steps_confidence[j]),
            ]
            for kr, value, confidence in values:
                for field, raw in (("value", value), ("confidence", confidence)):
                    checkin_services.checkin_save_field(
                        checkin=checkin,
                        field=f"entry-{kr.pk}-{field}",
                        value=str(raw),
                        base="",
                        author=member,
                    )
            texts = {
                "happened": "Fewer sign-ups stalled at the bank-details step than we expected.",
                "next_step": "Pre-fill company details from the chamber of commerce register.",
                "expectation": "Setup drops by one step and day-one invoicing rises a few points.",
                "learn_by": "At next week's check-in, from the funnel dashboard.",
            }
            for field, text in texts.items():
                checkin_services.checkin_save_field(
                    checkin=checkin, field=field, value=text, base="", author=lead
                )
            checkin_services.checkin_submit(checkin=checkin, author=lead)
            # As if submitted in the team's check-in meeting that week (on time).
            CheckIn.objects.filter(pk=checkin.pk).update(
                submitted_at=datetime.combine(
                    monday, team.checkin_time, tzinfo=ZoneInfo(team.time_zone)
                )
                + timedelta(minutes=45)
            )
        Experiment.objects.create(
            team=team,
            key_result=krs[0],
            belief="a sample invoice pre-filled with the customer's own logo",
            outcome="more sign-ups sending a real invoice on their first day",
            signal="day-one invoicing rises by 5 points for the test group",
            status=Experiment.Status.RUNNING,
            started_on=weeks[-2] if len(weeks) > 1 else this_week,
            created_by=member,
        )
        Obstacle.objects.create(
            team=team,
            description="Bank verification takes three days before the first invoice can go out.",
            is_focus=True,
            help_team=Team.objects.get(slug="payments"),
            raised_by=lead,
        )

    def _seed_last_cycle(self, current: Cycle, people: dict) -> None:
        """The quarter before, closed, with its scores and learnings to plan with."""
        from okrs.services import reviews

        end = current.start_date - timedelta(days=1)
        name, start, end = _quarter(end)
        if Cycle.objects.filter(start_date=start).exists():
            return
        leader, lead = people["leader@example.com"], people["lead@example.com"]
        cycle = Cycle.objects.create(
            name=name, start_date=start, end_date=end, status=Cycle.Status.REVIEW
        )
        company = Objective.objects.create(
            cycle=cycle,
            level=Objective.Level.COMPANY,
            title="Small businesses get paid without chasing",
            context="Late payments were the first reason customers gave for leaving.",
            state=Objective.State.COMMITTED,
        )
        paid = KeyResult.objects.create(
            objective=company,
            title="Invoices paid within 14 days",
            start_value=Decimal(48),
            target_value=Decimal(70),
            current_value=Decimal(63),
            unit="%",
            position=1,
        )
        team = Team.objects.get(slug="onboarding")
        objective = Objective.objects.create(
            cycle=cycle,
            level=Objective.Level.TEAM,
            team=team,
            title="New customers send reminders without thinking about it",
            aligned_to=paid,
            state=Objective.State.COMMITTED,
        )
        reminders = KeyResult.objects.create(
            objective=objective,
            title="New accounts with automatic reminders switched on",
            start_value=Decimal(12),
            target_value=Decimal(60),
            current_value=Decimal(41),
            unit="%",
            position=1,
        )
        scores = [
            (paid, leader, "0.7", ""),
            (
                reminders,
                lead,
                "0.5",
                "Reminders rose, but mostly after we switched them on by default.",
            ),
        ]
        for kr, person, score, reason in scores:
            reviews.key_result_score(
                key_result=kr, score=score, reason=reason, expected_version=kr.version, actor=person
            )
        learnings = [
            (company, leader, "Defaults beat education: what we switch on, customers keep."),
            (
                objective,
                lead,
                "Customers keep the defaults we choose; asking them to opt in stalls.",
            ),
        ]
        for okr, person, learned in learnings:
            reviews.retrospective_save(
                objective=okr,
                texts={
                    "learned": learned,
                    "keep": "Weekly check-ins",
                    "change": "",
                    "try_next": "",
                },
                expected_version=0,
                actor=person,
            )
        services.cycle_close(cycle=cycle)
