"""A leader editing the company key result while the teams that move it autosave their
check-ins, and a second leader edits the cycle, on PostgreSQL with real threads and
connections: nobody deadlocks, and the company-wide changes update the company's page
epoch (one row, at their commit: teams/page_version.py), not every team's row."""

import random
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from checkins import services as checkin_services
from core.versioning import StaleEdit
from okrs import services
from okrs.models import Cycle, KeyResult
from okrs.weeks import week_start
from teams import page_version
from teams.models import Team
from tests.fixtures.okrs import (
    DAY_ONE_INVOICING,
    INVOICES_SENT_ON_DAY_ONE,
    committed_objective,
    cycle_around,
)

ROUNDS = 30


@pytest.mark.slow  # threads against PostgreSQL, a few seconds
@pytest.mark.django_db(transaction=True)
def test_leaders_company_changes_and_team_autosaves_never_deadlock(
    team, member, leader, payments, stranger, today
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and deadlocks are PostgreSQL's; SQLite writes one at a time")
    objective = committed_objective(
        cycle_around(today, before=30, after=60), team, DAY_ONE_INVOICING, INVOICES_SENT_ON_DAY_ONE
    )
    theirs = committed_objective(
        objective.cycle, payments, DAY_ONE_INVOICING, aligned_to=objective.aligned_to
    )
    checkins = {
        who: checkin_services.checkin_get_or_create(team=o.team, week=week_start(today), author=who)
        for who, o in ((member, objective), (stranger, theirs))
    }
    epoch = page_version.epoch()
    failures: list[str] = []
    done: list[str] = []
    start = threading.Barrier(4)

    def run(name, write):
        try:
            start.wait(timeout=30)
            for n in range(ROUNDS):
                try:
                    write(n)
                except StaleEdit:
                    pass  # someone saved first: the app's answer, not an error
                except Exception as error:  # noqa: BLE001 - the point of the test
                    failures.append(f"{name}: {type(error).__name__}: {error}")
                else:
                    done.append(name)
        finally:
            connections.close_all()

    def edit_company_key_result(n):
        kr = KeyResult.objects.get(pk=objective.aligned_to_id)
        services.key_result_update(
            key_result=kr,
            data=services.KeyResultData(
                title=f"Self-serve revenue {n}",
                kind=kr.kind,
                start_value=kr.start_value,
                target_value=kr.target_value,
                current_value=kr.current_value,
                unit=kr.unit,
                owner=None,
            ),
            expected_version=kr.version,
            actor=leader,
        )

    def edit_cycle(n):
        cycle = Cycle.objects.get(pk=objective.cycle_id)
        services.cycle_update(
            cycle=cycle, name=f"Cycle {n}", start_date=cycle.start_date, end_date=cycle.end_date
        )

    def autosave(person):
        checkin = checkins[person]
        kr = checkin.objective.key_results.order_by("pk").first()
        field = f"entry-{kr.pk}-value"
        stored = {"value": ""}

        def write(n):
            value = str(random.randint(10, 50))
            try:
                checkin_services.checkin_save_field(
                    checkin=checkin, field=field, value=value, base=stored["value"], author=person
                )
                stored["value"] = value
            except checkin_services.FieldConflict as conflict:
                stored["value"] = conflict.current
            # and a value recorded on the key result, which changes the team's page
            services.key_result_record(
                key_result=kr, value=Decimal(value), confidence=7, comment="", author=person
            )

        return write

    writers = [
        ("leader: company key result", edit_company_key_result),
        ("leader: cycle", edit_cycle),
        ("member of Onboarding", autosave(member)),
        ("member of Payments", autosave(stranger)),
    ]
    threads = [threading.Thread(target=run, args=writer) for writer in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    assert not failures, "\n".join(failures[:10])
    assert all(done.count(name) > ROUNDS // 2 for name, _ in writers)  # most went through
    assert page_version.epoch() != epoch
    assert KeyResult.objects.get(pk=objective.aligned_to_id).title.startswith("Self-serve")


@pytest.mark.django_db(transaction=True)
def test_a_company_change_leaves_every_team_row_alone_and_changes_the_epoch_once(
    team, payments, leader, today
):
    """The epoch row is written at the commit; no team row is."""
    cycle = cycle_around(today, before=30, after=60)
    before = dict(Team.objects.values_list("pk", "page_version"))
    epoch = page_version.epoch()
    services.cycle_update(
        cycle=cycle, name="Renamed", start_date=cycle.start_date, end_date=cycle.end_date
    )
    assert dict(Team.objects.values_list("pk", "page_version")) == before
    assert page_version.epoch() != epoch
