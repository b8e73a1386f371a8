"""The team page: built once per change for each role, never stale.

The cache key holds the team's page version, which database triggers change whenever a
row the page shows changes (teams/page_version.py). These tests change those rows the
way code that forgets about caches would (queryset `.update()`, plain inserts and
deletes) and expect the next reader to see the change.
"""

import os
import re
import sqlite3
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checkins.models import CheckIn, Obstacle
from dashboard import team_page
from okrs.models import Cycle, KeyResult, Objective, ObjectiveEvent
from okrs.weeks import week_start
from teams import page_version
from teams.models import Membership, Team, User
from tests.factories import (
    CheckInFactory,
    CommentFactory,
    CompanyObjectiveFactory,
    ExperimentFactory,
    KeyResultFactory,
    KeyResultUpdateFactory,
    MembershipFactory,
    ObjectiveEventFactory,
    ObstacleFactory,
    TeamFactory,
    TeamObjectiveFactory,
    UserFactory,
)
from tests.helpers import ROOT

pytestmark = pytest.mark.django_db


@pytest.fixture
def objective(team, member):
    company = CompanyObjectiveFactory(
        cycle__status=Cycle.Status.ACTIVE, title="Grow without sales calls"
    )
    objective = TeamObjectiveFactory(
        team=team,
        cycle=company.cycle,
        state=Objective.State.COMMITTED,
        title="Customers invoice on day one",
        aligned_to=KeyResultFactory(objective=company, title="Revenue from self-serve grows"),
    )
    KeyResultFactory(objective=objective, title="Setup steps before the first invoice")
    return objective


def page(client, team: Team) -> str:
    response = client.get(reverse("dashboard:team-detail", args=[team.slug]))
    assert response.status_code == 200
    return response.content.decode()


def body(html: str) -> str:
    """The page without its chrome (whose CSRF token and CSP nonce change every time)."""
    return html[html.index("<main") : html.index("</main>")]


def version(team: Team) -> int:
    return Team.objects.values_list("page_version", flat=True).get(pk=team.pk)


def test_readers_get_the_page_built_once_in_four_queries(
    client_for, outsider, team, objective, django_assert_num_queries
):
    client = client_for(outsider)
    first = page(client, team)
    # session, user, team, the viewer's team roles: the body comes from the cache
    with django_assert_num_queries(4):
        again = page(client, team)
    assert body(again) == body(first)
    assert "Customers invoice on day one" in again
    caches["pages"].clear()
    assert body(page(client, team)) == body(first), "the cached body is what a build shows"


def test_the_team_and_leaders_get_their_own_page_with_its_forms(
    client_for, outsider, member, lead, leader, team, objective
):
    member_page = page(client_for(member), team)  # cached first, for the team's members
    assert "Post comment" in member_page and "Members</a>" not in member_page
    reader = page(client_for(outsider), team)
    assert "csrfmiddlewaretoken" not in body(reader) and "Post comment" not in reader
    assert "Members</a>" in page(client_for(lead), team)
    leader_page = page(client_for(leader), team)
    assert "Edit team" in leader_page and "Post comment" in leader_page
    assert "Edit team" not in page(client_for(outsider), team)
    assert "Edit team" not in page(client_for(member), team)


def test_a_cached_page_carries_each_requests_own_csrf_token_and_its_forms_work(
    client_for, team, objective, member, django_assert_num_queries
):
    first, second = (client_for(member, enforce_csrf_checks=True) for _ in range(2))
    page(first, team)
    with django_assert_num_queries(4):  # session, user, team, the viewer's team roles
        html = page(second, team)
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert tokens and team_page.CSRF_PLACEHOLDER not in html
    response = second.post(
        reverse("okrs:comment-create", args=[objective.pk]),
        {"csrfmiddlewaretoken": tokens[-1], "comment-body": "Posted from a cached page"},
    )
    assert response.status_code == 302
    assert "Posted from a cached page" in page(second, team)


def test_people_in_the_same_role_see_the_same_page(client_for, team, objective, member):
    """Nothing of the viewer's own may be on a team page, or caching it per role would
    show one person's page to another: built afresh for two members, it is the same."""
    other = MembershipFactory(team=team, user__name="Another Member").user
    built = []
    for person in (member, other):
        caches["pages"].clear()
        html = body(page(client_for(person), team))
        built.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html))
    assert built[0] == built[1]


def _other_team_asks_for_help(team, objective):
    ObstacleFactory(team=TeamFactory(name="Billing"), help_team=team, description="Q")


def _focus_on_obstacle(team, objective):
    obstacle = ObstacleFactory(team=team, description="Flaky invoices")
    Obstacle.objects.filter(pk=obstacle.pk).update(is_focus=True)


def _submit_checkin(team, objective):
    CheckInFactory(
        team=team,
        objective=objective,
        week_start=week_start(timezone.localdate()),
        state=CheckIn.State.SUBMITTED,
    )


def _record_value(team, objective):
    kr = objective.key_results.get()
    KeyResultUpdateFactory(
        key_result=kr, value=kr.target_value, week_start=week_start(timezone.localdate())
    )
    KeyResult.objects.filter(pk=kr.pk).update(current_value=kr.target_value)


# (what changes, how, what a reader sees afterwards)
CHANGES = {
    "key result renamed": (
        lambda team, o: KeyResult.objects.filter(objective=o).update(title="Invoices sent"),
        "Invoices sent",
    ),
    "key result deleted": (
        lambda team, o: KeyResult.objects.filter(objective=o).delete(),
        "No key results yet.",
    ),
    "value recorded": (_record_value, "now 100 %"),
    "objective state": (
        lambda team, o: Objective.objects.filter(pk=o.pk).update(state="challenged"),
        'state--challenged">Challenged',
    ),
    "comment": (
        lambda team, o: CommentFactory(objective=o, body="Nice one, team"),
        "Nice one, team",
    ),
    "history event": (
        lambda team, o: ObjectiveEventFactory(
            objective=o, verb=ObjectiveEvent.Verb.REWORDED, subject="A new subject"
        ),
        "A new subject",
    ),
    "new member": (
        lambda team, o: MembershipFactory(team=team, user__name="Nora New"),
        "Nora New",
    ),
    "role changed": (
        lambda team, o: Membership.objects.filter(team=team).update(role="lead"),
        '<span class="badge">lead</span>',
    ),
    "person renamed": (
        lambda team, o: User.objects.filter(memberships__team=team).update(name="Renamed"),
        "Renamed",
    ),
    "company key result renamed": (
        lambda team, o: KeyResult.objects.filter(pk=o.aligned_to_id).update(title="ARR"),
        "“ARR”",
    ),
    "company objective renamed": (
        lambda team, o: Objective.objects.filter(pk=o.aligned_to.objective_id).update(
            title="Be loved"
        ),
        "“Be loved”",
    ),
    "cycle in review": (
        lambda team, o: Cycle.objects.filter(pk=o.cycle_id).update(status="review"),
        "There is no active cycle yet.",
    ),
    "help asked by another team": (_other_team_asks_for_help, "Billing</strong> asks: Q"),
    "obstacle in focus": (_focus_on_obstacle, "working on it now"),
    "experiment": (
        lambda team, o: ExperimentFactory(
            team=team,
            key_result=o.key_results.get(),
            belief="a checklist",
            outcome="fewer steps",
            signal="steps drop",
        ),
        "We believe that a checklist",
    ),
    "check-in submitted": (_submit_checkin, "checked in</span>"),
    "team renamed": (
        lambda team, o: Team.objects.filter(pk=team.pk).update(name="Invoicing"),
        "<h1>Invoicing</h1>",
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_reaches_the_next_reader(change, client_for, outsider, team, objective):
    client = client_for(outsider)
    make, shown = CHANGES[change]
    before = body(page(client, team))
    assert shown not in before
    make(team, objective)
    after = body(page(client, team))
    assert shown in after
    caches["pages"].clear()
    assert after == body(page(client, team)), "served as built from the database"


def test_other_people_and_teams_named_on_the_page_follow_their_changes(
    client_for, outsider, team, objective
):
    client = client_for(outsider)
    _other_team_asks_for_help(team, objective)
    author = UserFactory(name="Temporary Tom")
    CommentFactory(objective=objective, author=author, body="Hello")
    html = page(client, team)  # built and cached with both names
    assert "Billing</strong> asks" in html and "<strong>Temporary Tom</strong>" in html
    Team.objects.filter(name="Billing").update(name="Payments")
    assert "Payments</strong> asks" in page(client, team)
    author.delete()  # the comment stays; its author is gone (SET_NULL)
    assert "<strong>Someone</strong>" in page(client, team)


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
    # without an objective is offered it
    versions = {t.pk: version(t) for t in (team, other, unrelated)}
    KeyResult.objects.filter(pk=objective.aligned_to_id).update(title="Changed too")
    assert all(version(t) != versions[t.pk] for t in (team, other, unrelated))


def test_editing_a_team_keeps_the_version_a_change_gave_it_since(team, objective):
    loaded = Team.objects.get(pk=team.pk)
    CommentFactory(objective=objective, body="Meanwhile")  # a new version
    meanwhile = version(team)
    loaded.purpose = "Edited with the version it was read with"
    loaded.save()
    assert version(team) == meanwhile
    assert Team.objects.get(pk=team.pk).purpose == "Edited with the version it was read with"


def test_the_teams_own_people_see_changes_to_their_forms(
    client_for, team, objective, member, leader
):
    """What only forms show: the company key results a new objective may move (leaders,
    a team without one) and who may own a key result (leaders are offered too)."""
    empty = TeamFactory(name="Platform")
    leader_client = client_for(leader)
    assert "Churn below two percent" not in page(leader_client, empty)
    KeyResultFactory(objective=objective.aligned_to.objective, title="Churn below two percent")
    assert "Churn below two percent" in page(leader_client, empty)
    member_client = client_for(member)
    promoted = UserFactory(name="Paula Promoted")
    assert ">Paula Promoted<" not in page(member_client, team)  # built and cached
    User.objects.filter(pk=promoted.pk).update(is_leader=True)
    assert ">Paula Promoted<" in page(member_client, team)


def test_the_csrf_placeholder_in_user_text_stays_text(client_for, team, objective, member):
    CommentFactory(objective=objective, body=f"About {team_page.CSRF_PLACEHOLDER}")
    client = client_for(member)
    page(client, team)
    assert f"About {team_page.CSRF_PLACEHOLDER}" in page(client, team)


def test_signing_in_changes_no_page(team, member):
    before = version(team)
    User.objects.filter(pk=member.pk).update(last_login="2026-01-01T10:00Z", time_zone="UTC")
    assert version(team) == before
    User.objects.filter(pk=member.pk).update(name="Someone else")
    assert version(team) != before


def test_a_new_day_and_another_role_are_another_page(team, monkeypatch):
    today = timezone.localdate()
    key = team_page.cache_key(team, "person:outside")
    assert team_page.cache_key(team, "person:member") != key
    monkeypatch.setattr(team_page.timezone, "localdate", lambda: today + timedelta(days=1))
    assert team_page.cache_key(team, "person:outside") != key


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
    assert read - {"django_session"} <= _watched_tables()


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
    before = version(team)
    person = UserFactory()  # shows nowhere until a membership or a write names them
    assert version(team) == before
    person.delete()
    assert version(team) == before
    leader = UserFactory(is_leader=True)  # offered as an owner on every team's forms
    assert version(team) != before
    before = version(team)
    leader.delete()
    assert version(team) != before


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
    removed = page_version.Watch("okrs_retrospective", ("SELECT 1",))
    with connection.cursor() as cursor:  # a watch an older release had
        if connection.vendor == "postgresql":
            for statement in page_version._postgresql(removed):
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
