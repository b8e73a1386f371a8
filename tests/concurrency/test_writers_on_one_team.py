"""Everyone of one team writing at once (comments, values recorded, key results edited
and moved, the check-in typed, obstacles and experiments) on PostgreSQL, with real
threads and connections: refusals and stale edits are fine, a deadlock is not.

Before the lock order was fixed, a comment posted while the lead recorded a value
deadlocked: the comment's page-version trigger locked the team row, its deferred foreign
key check then wanted a KEY SHARE lock on the objective, which the recording held FOR
UPDATE while it waited for the team row.
"""

import random
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from checkins import services as checkin_services
from checkins.models import CheckIn
from core.versioning import StaleEdit
from okrs import services
from okrs.models import KeyResult
from okrs.services import workflow
from okrs.weeks import week_start
from tests.factories import MembershipFactory
from tests.fixtures.okrs import (
    DAY_ONE_INVOICING,
    INVOICES_SENT_ON_DAY_ONE,
    committed_objective,
    cycle_around,
)

WRITERS = 6
ROUNDS = 25


def _writes(objective, people, checkin):
    """One write of each kind a team's people make on a check-in morning."""
    key_results = list(KeyResult.objects.filter(objective=objective).order_by("pk"))

    def comment(person):
        workflow.comment_add(objective=objective, author=person, body="On it")

    def record(person):
        kr = random.choice(key_results)
        services.key_result_record(
            key_result=kr,
            value=Decimal(random.randint(10, 50)),
            confidence=7,
            comment="",
            author=person,
        )

    def edit(person):
        kr = KeyResult.objects.get(pk=random.choice(key_results).pk)
        services.key_result_update(
            key_result=kr,
            data=services.KeyResultData(
                title=kr.title,
                kind=kr.kind,
                start_value=kr.start_value,
                target_value=kr.target_value,
                current_value=kr.current_value,
                unit=random.choice(["invoices", "%"]),
                owner=None,
            ),
            expected_version=kr.version,
            actor=person,
            reason="Unit",
        )

    def move(person):
        services.key_result_move(
            key_result=random.choice(key_results), direction="down", actor=person
        )

    def type_in_the_checkin(person):
        kr = random.choice(key_results)
        checkin_services.checkin_save_field(
            checkin=checkin,
            field=f"entry-{kr.pk}-value",
            value=str(random.randint(10, 50)),
            base=str(kr.current_value),
            author=person,
        )

    def obstacle(person):
        checkin_services.obstacle_add(
            team=objective.team, description="Waiting for legal", help_team=None, author=person
        )

    def experiment(person):
        checkin_services.experiment_create(
            team=objective.team,
            data=checkin_services.ExperimentData(
                key_result=random.choice(key_results),
                belief="a checklist",
                outcome="more invoices",
                signal="the count rises",
                status="planned",
                started_on=None,
                ended_on=None,
                result="",
                learning="",
            ),
            author=person,
        )

    def company_key_result(person):
        # A leader renames the company key result the team moves: every team's page
        # changes with it (the trigger updates every team row).
        kr = KeyResult.objects.get(pk=objective.aligned_to_id)
        services.key_result_update(
            key_result=kr,
            data=services.KeyResultData(
                title=f"NPS {random.randint(1, 99)}",
                kind=kr.kind,
                start_value=kr.start_value,
                target_value=kr.target_value,
                current_value=kr.current_value,
                unit=kr.unit,
                owner=None,
            ),
            expected_version=kr.version,
            actor=person,
        )

    return [
        comment,
        record,
        edit,
        move,
        type_in_the_checkin,
        obstacle,
        experiment,
        company_key_result,
    ]


@pytest.mark.slow  # threads against PostgreSQL, a few seconds
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_one_team_never_deadlock(team, lead, member, leader, payments, today):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and deadlocks are PostgreSQL's; SQLite writes one at a time")
    objective = committed_objective(
        cycle_around(today, before=30, after=60), team, DAY_ONE_INVOICING, INVOICES_SENT_ON_DAY_ONE
    )
    # Payments moves the same company key result: its page changes with every rename.
    committed_objective(
        objective.cycle, payments, DAY_ONE_INVOICING, aligned_to=objective.aligned_to
    )
    people = [leader, lead, member] + [
        MembershipFactory(team=team).user for _ in range(WRITERS - 3)
    ]
    checkin = checkin_services.checkin_get_or_create(
        team=team, week=week_start(today), author=member
    )
    writes = _writes(objective, people, checkin)
    start = threading.Barrier(WRITERS)
    failures: list[str] = []
    done: list[int] = []

    def writer(person, seed):
        rng = random.Random(seed)
        try:
            start.wait(timeout=30)
            for _ in range(ROUNDS):
                write = rng.choice(writes)
                try:
                    write(person)
                except (ValidationError, StaleEdit, checkin_services.FieldConflict):
                    pass  # a refusal or someone saved first: the app's answers, not errors
                except Exception as error:  # noqa: BLE001 - the point of the test
                    failures.append(f"{write.__name__}: {type(error).__name__}: {error}")
                else:
                    done.append(1)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(person, n)) for n, person in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    assert not failures, "\n".join(failures[:10])
    assert len(done) > WRITERS * ROUNDS // 2  # most writes went through
    assert CheckIn.objects.filter(pk=checkin.pk).exists()
