"""A believable company at scale, for benchmarks and query-count tests.

Everything is written with bulk inserts, so a thousand teams with twelve weeks of
check-ins take seconds, not minutes.
"""

import random
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from checkins.models import CheckIn, CheckInEntry, Experiment
from dashboard.status_live import rows_refresh
from okrs.models import Cycle, KeyResult, KeyResultUpdate, Objective
from okrs.weeks import week_start
from teams.models import Membership, Team, User
from teams.schedule import local_moment, team_next_reminder

SCALE_DOMAIN = "scale.example.com"
MEMBERS_PER_TEAM = 5  # a lead and four members
BATCH = 2000
TIME_ZONES = ["Europe/Amsterdam", "Europe/London", "America/New_York", "Asia/Singapore"]
COMPANY_KEY_RESULTS = [
    ("Net promoter score rises", "increase", 21, 45, "NPS"),
    ("New accounts that come from a referral", "increase", 8, 25, "%"),
    ("Days from sign-up to the first paid invoice", "decrease", 12, 3, "days"),
]
TEAM_KEY_RESULTS = [
    ("Accounts that send an invoice on day one", "increase", 10, 60, "%"),
    ("Support tickets about getting paid", "decrease", 400, 150, "tickets"),
    ("Customers who share a referral link", "increase", 2, 15, "%"),
]


@dataclass
class ScaleCompany:
    cycle: Cycle
    leaders: list[User]
    teams: list[Team]


def _bulk(model, objects):
    return model.objects.bulk_create(objects, batch_size=BATCH)


@transaction.atomic
def seed_scale(*, teams: int, weeks: int, today: date | None = None, seed: int = 7) -> ScaleCompany:
    """N teams with members, one committed objective each with three key results, W weeks
    of check-ins (most on time, some late, some missed) and experiments, a leadership team
    and a company OKR, in a new active cycle that has run for W weeks."""
    rng = random.Random(seed)  # noqa: S311 - believable data, not security
    today = today or timezone.localdate()
    start = week_start(today) - timedelta(weeks=weeks - 1)
    end = max(start + timedelta(weeks=13) - timedelta(days=1), today + timedelta(days=7))
    Cycle.objects.filter(status=Cycle.Status.ACTIVE).update(status=Cycle.Status.CLOSED)
    cycle = Cycle.objects.create(
        name=f"Scale {start:%G-W%V}", start_date=start, end_date=end, status=Cycle.Status.ACTIVE
    )
    # A second run adds a new company beside the first (names and emails stay unique).
    suffix = f" ({cycle.pk})" if Team.objects.filter(name="Leadership").exists() else ""
    leaders = _bulk(
        User,
        [
            User(
                email=f"leader{i}-{cycle.pk}@{SCALE_DOMAIN}",
                name=f"Leader {i}",
                is_leader=True,
                password="!",
            )
            for i in range(3)
        ],
    )
    leadership = Team.objects.create(
        name=f"Leadership{suffix}",
        slug=f"leadership-{cycle.pk}",
        purpose="The leadership team.",
    )
    _bulk(Membership, [Membership(team=leadership, user=u, role="lead") for u in leaders])
    company = Objective.objects.create(
        cycle=cycle,
        level=Objective.Level.COMPANY,
        title="Become the invoicing tool small businesses recommend to each other",
        context="Referrals bring the customers who stay.",
        state=Objective.State.COMMITTED,
    )
    company_krs = _bulk(
        KeyResult,
        [
            KeyResult(
                objective=company,
                title=title,
                kind=kind,
                start_value=start_value,
                target_value=target,
                current_value=start_value,
                unit=unit,
                owner=leaders[i % len(leaders)],
                position=i + 1,
            )
            for i, (title, kind, start_value, target, unit) in enumerate(COMPANY_KEY_RESULTS)
        ],
    )
    now = timezone.now()
    team_rows = [
        Team(
            name=f"Team {i:04d} {rng.choice(['Billing', 'Growth', 'Payments', 'Mobile'])}" + suffix,
            slug=f"team-{cycle.pk}-{i:04d}",
            purpose="Moves the company OKR.",
            checkin_weekday=i % 5,
            checkin_time=time(9 + i % 8, 0),
            time_zone=TIME_ZONES[i % len(TIME_ZONES)],
        )
        for i in range(teams)
    ]
    for team in team_rows:  # before the insert: no bulk_update of every team after it
        team.next_reminder_at = team_next_reminder(team, after=now)
    team_rows = _bulk(Team, team_rows)
    people = _bulk(
        User,
        [
            User(
                email=f"t{cycle.pk}-{i:04d}-{j}@{SCALE_DOMAIN}",
                name=f"Person {i}.{j}",
                password="!",
            )
            for i in range(teams)
            for j in range(MEMBERS_PER_TEAM)
        ],
    )
    _bulk(
        Membership,
        [
            Membership(
                team=team,
                user=people[i * MEMBERS_PER_TEAM + j],
                role="lead" if j == 0 else "member",
            )
            for i, team in enumerate(team_rows)
            for j in range(MEMBERS_PER_TEAM)
        ],
    )
    objectives = _bulk(
        Objective,
        [
            Objective(
                cycle=cycle,
                level=Objective.Level.TEAM,
                team=team,
                title=f"{team.name}: customers get paid faster",
                aligned_to=company_krs[i % len(company_krs)],
                # Most teams are committed; a few still wait for review or revise.
                state=rng.choices(
                    [Objective.State.COMMITTED, Objective.State.SUBMITTED, Objective.State.DRAFT],
                    weights=[90, 7, 3],
                )[0],
            )
            for i, team in enumerate(team_rows)
        ],
    )
    # The weeks are played out before the key results are written, so each is inserted
    # with its final value and confidence (a bulk_update of every key result after the
    # history cost more than the inserts at 10,000 teams). Key result k of team i is
    # (i, k) until it has a primary key.
    week_starts = [start + timedelta(weeks=w) for w in range(weeks)]
    current = {
        (i, k): Decimal(spec[2]) for i in range(teams) for k, spec in enumerate(TEAM_KEY_RESULTS)
    }
    confidence = {key: rng.randint(4, 8) for key in current}
    touched = set()
    checkins, entries_for, updates_for = [], [], []
    for i, (team, objective) in enumerate(zip(team_rows, objectives, strict=True)):
        if objective.state != Objective.State.COMMITTED:
            continue
        diligence = rng.random()  # some teams keep the rhythm better than others
        for monday in week_starts:
            due = local_moment(
                monday + timedelta(days=team.checkin_weekday),
                team.checkin_time,
                ZoneInfo(team.time_zone),
            )
            roll = rng.random()
            if due > now or roll > 0.6 + 0.38 * diligence:
                continue  # missed (or not due yet)
            late = roll > 0.5 + 0.35 * diligence
            submitted_at = due + (timedelta(days=2) if late else timedelta(hours=rng.randint(0, 6)))
            submitted_at = min(submitted_at, now)
            checkins.append(
                CheckIn(
                    team=team,
                    objective=objective,
                    week_start=monday,
                    state=CheckIn.State.SUBMITTED,
                    happened="We shipped the next step and measured it.",
                    next_step="Try the next idea with ten customers.",
                    expectation="Half of them get paid within a day.",
                    learn_by="Friday",
                    submitted_at=submitted_at,
                )
            )
            for k, (_, _, start_value, target, _) in enumerate(TEAM_KEY_RESULTS):
                key = (i, k)
                step = (Decimal(target) - Decimal(start_value)) / 13
                if rng.random() < 0.75:
                    current[key] += step * Decimal(rng.choice([0, 1, 1, 2]))
                confidence[key] = min(10, max(0, confidence[key] + rng.choice([-2, -1, 0, 1])))
                touched.add(key)
                entries_for.append((len(checkins) - 1, key, current[key], confidence[key]))
                updates_for.append((key, current[key], confidence[key], monday))
    key_results = _bulk(
        KeyResult,
        [
            KeyResult(
                objective=objective,
                title=title,
                kind=kind,
                start_value=start_value,
                target_value=target,
                current_value=current[(i, k)],
                unit=unit,
                owner=people[i * MEMBERS_PER_TEAM],
                position=k + 1,
                **({"confidence": confidence[(i, k)]} if (i, k) in touched else {}),
            )
            for i, objective in enumerate(objectives)
            for k, (title, kind, start_value, target, unit) in enumerate(TEAM_KEY_RESULTS)
        ],
    )
    kr_of = {(i, k): key_results[i * 3 + k] for i in range(teams) for k in range(3)}
    checkins = _bulk(CheckIn, checkins)
    _bulk(
        CheckInEntry,
        [
            CheckInEntry(
                checkin=checkins[index], key_result=kr_of[key], value=value, confidence=conf
            )
            for index, key, value, conf in entries_for
        ],
    )
    _bulk(
        KeyResultUpdate,
        [
            KeyResultUpdate(key_result=kr_of[key], value=value, confidence=conf, week_start=monday)
            for key, value, conf, monday in updates_for
        ],
    )
    _bulk(
        Experiment,
        [
            Experiment(
                team=team,
                key_result=key_results[i * 3 + rng.randint(0, 2)],
                belief="a payment link in the first invoice",
                outcome="more invoices paid within a week",
                signal="half of the first invoices are paid within seven days",
                status=rng.choice(list(Experiment.Status.values)),
                started_on=week_starts[0],
            )
            for i, team in enumerate(team_rows)
            for _ in range(2)
        ],
    )
    _seed_company_history(company_krs, week_starts, rng)
    # The home page's status rows, computed as its first reader (or beat) would.
    rows_refresh(cycle)
    return ScaleCompany(cycle=cycle, leaders=leaders, teams=team_rows)


def _seed_company_history(company_krs, week_starts, rng) -> None:
    updates = []
    for kr in company_krs:
        value = Decimal(kr.start_value)
        for monday in week_starts:
            value += (Decimal(kr.target_value) - Decimal(kr.start_value)) / 14
            updates.append(
                KeyResultUpdate(
                    key_result=kr, value=value, confidence=rng.randint(4, 8), week_start=monday
                )
            )
        kr.current_value = value
        kr.confidence = updates[-1].confidence
    _bulk(KeyResultUpdate, updates)
    KeyResult.objects.bulk_update(company_krs, ["current_value", "confidence"])
