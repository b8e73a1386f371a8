"""The team page is cached in sections (the head with the team's people, the OKR, the
weekly check-in), each under the versions of what it shows: a write rebuilds only the
sections that show what it changed, and typing into a draft check-in (the autosave)
rebuilds none. Company-wide changes (a cycle, the company OKR, a leader's name) change
the company's page epoch, not every team's row."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from checkins import services as checkin_services
from dashboard import team_page, team_views
from okrs import services
from okrs.models import KeyResult
from okrs.services import workflow
from okrs.weeks import week_start
from teams import page_version
from teams.models import User
from tests.dashboard.team_page.pages import epoch, every_teams_versions, page
from tests.dashboard.team_page.pages import same_for_everyone as body
from tests.dashboard.team_page.test_changes import CHANGES
from tests.dashboard.team_page.test_page_versions import NOT_WATCHED, _tables_read
from tests.factories import MembershipFactory, ObstacleFactory, TeamFactory
from tests.fixtures.okrs import key_result_data, start_review

pytestmark = pytest.mark.django_db

# What every request reads before the body: the session, the person, the team (with the
# company's epoch) and the viewer's roles.
BASE_QUERIES = 4


@pytest.fixture
def built(monkeypatch):
    """The sections each request had to build."""
    calls: list[tuple[str, ...]] = []
    original = team_views.team_page_context

    def spy(request, team, sections=team_page.SECTIONS):
        calls.append(tuple(sections))
        return original(request, team, sections)

    monkeypatch.setattr(team_views, "team_page_context", spy)
    return calls


@pytest.fixture
def draft(team, objective, member):
    return checkin_services.checkin_get_or_create(
        team=team, week=week_start(timezone.localdate()), author=member
    )


def _type_text(checkin, member):
    checkin_services.checkin_save_field(
        checkin=checkin, field="happened", value="We shipped", base="", author=member
    )


def _type_value(checkin, member):
    kr = checkin.objective.key_results.get()
    checkin_services.checkin_save_field(
        checkin=checkin, field=f"entry-{kr.pk}-value", value="3", base="", author=member
    )


@pytest.mark.parametrize("autosave", [_type_text, _type_value])
def test_typing_into_the_draft_check_in_rebuilds_nothing(
    autosave, client_for, member, team, draft, built, django_assert_num_queries
):
    """The team page shows a check-in's week and state, not its draft: the autosave
    changes none of the page's versions, and the next reader gets the cached page."""
    client = client_for(member)
    first = page(client, team)
    autosave(draft, member)
    with django_assert_num_queries(BASE_QUERIES):
        again = page(client, team)
    assert body(again) == body(first) and built == [team_page.SECTIONS]


def _record_value(team, objective, member):
    kr = objective.key_results.get()
    services.key_result_record(
        key_result=kr, value=kr.target_value, confidence=7, comment="", author=member
    )


def _comment(team, objective, member):
    workflow.comment_add(objective=objective, author=member, body="Nice one")


def _obstacle(team, objective, member):
    checkin_services.obstacle_add(
        team=team, description="Slow builds", help_team=None, author=member
    )


def _new_member(team, objective, member):
    MembershipFactory(team=team, user__name="Nora New")


# (a write, the sections it rebuilds, the queries of the page after it)
WRITES = {
    # the OKR and the check-in section's signals (the key result's values)
    "value recorded": (_record_value, ("okr", "checkins"), BASE_QUERIES + 11),
    "comment": (_comment, ("okr",), BASE_QUERIES + 8),
    "obstacle": (_obstacle, ("checkins",), BASE_QUERIES + 7),
    "new member": (_new_member, ("head", "okr"), BASE_QUERIES + 10),
}


@pytest.mark.parametrize("write", WRITES)
def test_a_write_rebuilds_only_the_sections_that_show_it(
    write, client_for, member, team, objective, built, django_assert_num_queries
):
    make, sections, queries = WRITES[write]
    client = client_for(member)
    page(client, team)
    make(team, objective, member)
    with django_assert_num_queries(queries):
        after = page(client, team)
    assert built[1:] == [sections]
    caches["pages"].clear()
    assert body(after) == body(page(client, team)), "as built afresh from the database"


@pytest.mark.parametrize("change", CHANGES)
def test_every_section_of_a_members_page_is_fresh_after_every_kind_of_change(
    change, client_for, member, team, objective
):
    """The member's page has the forms too: whatever sections a change rebuilds, the
    page served afterwards is the page built afresh."""
    client = client_for(member)
    make, shown = CHANGES[change]
    page(client, team)
    make(team, objective)
    after = body(page(client, team))
    assert shown in after
    caches["pages"].clear()
    assert after == body(page(client, team)), "served as built from the database"


def _watched_for(section: str) -> set[str]:
    """The tables whose triggers change the section's version or the company's epoch."""
    return {
        watch.table
        for watch in page_version.watches()
        if watch.company or (watch.teams and section in watch.sections)
    }


@pytest.mark.parametrize("section", team_page.SECTIONS)
@pytest.mark.parametrize("viewer", ["outsider", "member", "leader"])
def test_every_table_a_section_reads_is_watched_for_that_section(
    section, viewer, request, client_for, team, objective
):
    """A section built alone (the others cached) reads only tables whose changes reach
    it: otherwise it would be served stale after a change that rebuilds another."""
    ObstacleFactory(team=TeamFactory(), help_team=team, description="Help")
    client = client_for(request.getfixturevalue(viewer))
    page(client, team)
    role = team_page.viewer_role(request.getfixturevalue(viewer), team)
    team = team_views.team_access.get_team(team.slug, with_page_epoch=True)
    caches["pages"].delete(team_page.cache_key(team, role, section))
    with CaptureQueriesContext(connection) as queries:
        page(client, team)
    read = _tables_read(queries.captured_queries[BASE_QUERIES:])
    assert read, "the section was built"
    assert read - NOT_WATCHED <= _watched_for(section)


# --- company-wide changes: one row, the epoch ------------------------------------------


def _cycle_in_review(objective, leader):
    start_review(objective.cycle, timezone.localdate())
    return 'state--review">In review'


def _company_key_result_edited(objective, leader):
    kr = KeyResult.objects.get(pk=objective.aligned_to_id)
    data = key_result_data(title="Self-serve revenue doubles", kind=kr.kind)
    services.key_result_update(key_result=kr, data=data, expected_version=kr.version, actor=leader)
    return "Self-serve revenue doubles"


def _leader_renamed(objective, leader):
    User.objects.filter(pk=leader.pk).update(name="Lena Lead-Everything")
    return "Lena Lead-Everything"


COMPANY_CHANGES = {
    "cycle in review": _cycle_in_review,
    "company key result edited": _company_key_result_edited,
    "leader renamed": _leader_renamed,
}


@pytest.mark.parametrize("change", COMPANY_CHANGES)
def test_a_company_wide_change_updates_no_team_but_reaches_every_cached_page(
    change, client_for, member, leader, team, objective
):
    # the leader named on the team's page: the owner of its key result
    KeyResult.objects.filter(objective=objective).update(owner=leader)
    others = [TeamFactory() for _ in range(3)]
    client = client_for(member)
    page(client, team)
    for other in others:
        page(client, other)
    teams, before = every_teams_versions(), epoch()
    shown = COMPANY_CHANGES[change](objective, leader)
    assert every_teams_versions() == teams, "no team row was written"
    assert epoch() != before
    after = body(page(client, team))
    assert shown in after
    caches["pages"].clear()
    assert after == body(page(client, team))


@pytest.mark.parametrize("change", COMPANY_CHANGES)
@pytest.mark.django_db(transaction=True)
def test_a_committed_company_wide_change_changes_the_epoch_at_its_commit(
    change, client_for, member, leader, team, objective
):
    """Real transactions: PostgreSQL changes the epoch when the change commits."""
    KeyResult.objects.filter(objective=objective).update(owner=leader)
    client = client_for(member)
    page(client, team)
    teams, before = every_teams_versions(), epoch()
    shown = COMPANY_CHANGES[change](objective, leader)  # each service commits
    assert every_teams_versions() == teams and epoch() != before
    assert shown in page(client, team)


def test_a_team_write_changes_no_epoch(client_for, member, team, objective):
    before = epoch()
    _record_value(team, objective, member)
    _comment(team, objective, member)
    assert epoch() == before
