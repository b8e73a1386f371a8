"""The page versions behind the cache key: database triggers give a new version to the
teams that show a changed row (teams/page_version.py), and only to them; every table a
team page reads is watched; the triggers survive installs and SQLite's table rebuilds."""

import os
import re
import sqlite3
import subprocess
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from checkins.models import Obstacle
from okrs.models import Cycle, KeyResult
from teams import page_version
from teams.models import Team, User
from tests.dashboard.team_page.pages import epoch, every_teams_versions, page, version
from tests.factories import (
    CommentFactory,
    CompanyObjectiveFactory,
    ObstacleFactory,
    RetrospectiveFactory,
    TeamFactory,
    TeamObjectiveFactory,
    UserFactory,
)
from tests.helpers import ROOT

pytestmark = pytest.mark.django_db


def test_a_change_gives_a_new_version_to_the_teams_that_show_it_only(team, objective):
    other_objective = TeamObjectiveFactory(cycle=objective.cycle)
    other, unrelated = other_objective.team, TeamFactory()
    versions = {t.pk: version(t) for t in (team, other, unrelated)}
    KeyResult.objects.filter(objective=objective).update(title="Changed")
    assert version(team) != versions[team.pk]
    assert (version(other), version(unrelated)) == (versions[other.pk], versions[unrelated.pk])
    # a key result moved to another team's objective: both pages change
    versions = {t.pk: version(t) for t in (team, other, unrelated)}
    KeyResult.objects.filter(objective=objective).update(objective=other_objective)
    assert version(team) != versions[team.pk] and version(other) != versions[other.pk]
    assert version(unrelated) == versions[unrelated.pk]
    # a company key result: its title shows on the teams that move it, and every team
    # without an objective is offered it: the company's epoch changes, no team's row
    teams, before = every_teams_versions(), epoch()
    KeyResult.objects.filter(pk=objective.aligned_to_id).update(title="Changed too")
    assert epoch() != before and every_teams_versions() == teams


def test_editing_a_team_keeps_the_version_a_change_gave_it_since(team, objective):
    loaded = Team.objects.get(pk=team.pk)
    CommentFactory(objective=objective, body="Meanwhile")  # a new version
    meanwhile = version(team)
    loaded.purpose = "Edited with the version it was read with"
    loaded.save()
    assert version(team) == meanwhile
    assert Team.objects.get(pk=team.pk).purpose == "Edited with the version it was read with"


def test_signing_in_changes_no_page(team, member):
    before, company = version(team), epoch()
    User.objects.filter(pk=member.pk).update(last_login="2026-01-01T10:00Z", time_zone="UTC")
    assert (version(team), epoch()) == (before, company)
    User.objects.filter(pk=member.pk).update(name="Someone else")  # shows on any page
    assert version(team) == before and epoch() != company


# The session, and the company's epoch that is part of the key.
NOT_WATCHED = {"django_session", "teams_pageepoch"}


def _tables_read(queries) -> set[str]:
    names = set()
    for query in queries:
        names |= set(re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', query["sql"]))
    return names


def _watched_tables() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name LIKE 'page_version_%%'"
            )
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE 'page_version_%'"
            )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize("viewer", ["outsider", "member", "leader"])
def test_every_table_a_team_page_reads_is_watched(viewer, request, client_for, team, objective):
    """A section or field added to the page later that reads another table fails here:
    add a Watch for it (teams/page_version.py) or people see it stale. (Tables, not
    columns: a new column or relation on a watched table needs a look at its Watch.)"""
    CompanyObjectiveFactory(cycle__status=Cycle.Status.CLOSED)  # a last cycle
    ObstacleFactory(team=TeamFactory(), help_team=team, description="Help")
    client = client_for(request.getfixturevalue(viewer))
    with CaptureQueriesContext(connection) as queries:
        page(client, team)
    read = _tables_read(queries.captured_queries)
    assert {"okrs_keyresult", "checkins_obstacle", "okrs_objectiveevent", "teams_user"} <= read
    assert read - NOT_WATCHED <= _watched_tables()


@pytest.mark.parametrize("viewer", ["outsider", "member", "leader"])
def test_every_table_a_team_page_reads_in_a_review_is_watched(
    viewer, request, client_for, team, objective
):
    """During the review the page shows the scores and the retrospective as well."""
    Cycle.objects.filter(pk=objective.cycle_id).update(status=Cycle.Status.REVIEW)
    RetrospectiveFactory(objective=objective, learned="Checklists work")
    client = client_for(request.getfixturevalue(viewer))
    with CaptureQueriesContext(connection) as queries:
        assert "Checklists work" in page(client, team)
    read = _tables_read(queries.captured_queries)
    assert {"okrs_keyresult", "okrs_retrospective"} <= read
    assert read - NOT_WATCHED <= _watched_tables()


def test_a_watch_follows_rows_moved_between_teams(team, objective):
    """An update gives a version to the teams of the old row and of the new one."""
    obstacle = ObstacleFactory(team=team, description="Slow builds")
    elsewhere = TeamFactory()
    before = version(team), version(elsewhere)
    Obstacle.objects.filter(pk=obstacle.pk).update(team=elsewhere)
    assert version(team) != before[0] and version(elsewhere) != before[1]
    before = version(elsewhere)
    Obstacle.objects.filter(pk=obstacle.pk).delete()
    assert version(elsewhere) != before


def test_new_teams_start_at_a_random_version(db):
    assert len({TeamFactory().page_version for _ in range(3)}) == 3


def test_only_a_new_or_removed_leader_changes_every_page(team):
    before = epoch()
    person = UserFactory()  # shows nowhere until a membership or a write names them
    assert epoch() == before
    person.delete()
    assert epoch() == before
    leader = UserFactory(is_leader=True)  # offered as an owner on every team's forms
    assert epoch() != before
    before = epoch()
    leader.delete()
    assert epoch() != before


def _trigger_ids() -> set:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT oid FROM pg_trigger WHERE tgname LIKE 'page_version_%%'")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'page_v%'"
            )
        return {row[0] for row in cursor.fetchall()}


def test_installing_again_keeps_the_triggers_and_drops_a_removed_watchs(team, objective):
    expected = {watch.table for watch in page_version.watches()}
    assert _watched_tables() == expected
    installed = _trigger_ids()
    removed = page_version.Watch("checkins_checkinchange", ("SELECT 1",))
    with connection.cursor() as cursor:  # a watch an older release had
        if connection.vendor == "postgresql":
            for statement in page_version._postgresql(removed)[removed.name]:
                cursor.execute(statement)
        else:
            for statement in page_version._sqlite(removed):
                cursor.execute(statement)
    page_version.install()  # what every migrate and flush does
    assert _watched_tables() == expected
    if connection.vendor == "postgresql":  # unchanged triggers are left alone
        assert _trigger_ids() == installed
    before = version(team)
    CommentFactory(objective=objective, body="Still watched")
    assert version(team) != before


@pytest.mark.slow  # manage.py migrate, three times, in processes of their own
def test_migrations_rebuild_watched_tables_on_sqlite_and_the_triggers_come_back(tmp_path):
    """SQLite rebuilds a table to alter it; triggers naming it would stop the rebuild."""
    database = tmp_path / "migrate.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "true"}
    manage = [sys.executable, str(ROOT / "manage.py")]

    def migrate(*target):
        subprocess.run([*manage, "migrate", *target, "-v0"], env=env, check=True, timeout=120)
        with sqlite3.connect(database) as db:
            return {
                name
                for (name,) in db.execute(
                    "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
                    " AND name LIKE 'page_version_%'"
                )
            }

    watched = {watch.table for watch in page_version.watches()}
    assert migrate() == watched
    # Unapplying teams 0005 removes the version from the team table: SQLite rebuilds it.
    assert migrate("teams", "0004") == set()
    assert migrate() == watched
