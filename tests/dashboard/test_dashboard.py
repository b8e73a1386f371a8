"""The home dashboard and the leaders' cycle overview, at three teams and at hundreds."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from checkins.cadence import Cadence, cadence
from checkins.models import CheckIn
from dashboard.models import ObjectiveStatus
from dashboard.overview import cycle_overview_get
from dashboard.seed import seed_scale
from okrs.models import Cycle, Objective, ObjectiveEvent
from okrs.weeks import iso_week_label, week_start
from teams.models import Membership, Team
from tests.factories import (
    CheckInFactory,
    CycleFactory,
    KeyResultFactory,
    KeyResultUpdateFactory,
    ObjectiveEventFactory,
    TeamFactory,
    TeamObjectiveFactory,
)
from tests.fixtures.okrs import company_key_result
from tests.helpers import HX, ROLES, role_of

pytestmark = pytest.mark.django_db
State = Objective.State
# A company of ten teams, and one of a thousand: a scale test, slow by nature.
# seed_scale writes the weeks up to today: the fast runs are marked dates too.
TEAMS = [pytest.param(10, marks=pytest.mark.dates), pytest.param(1000, marks=pytest.mark.slow)]


@pytest.fixture
def company(team):
    """An active cycle whose first company key result three teams move; Onboarding (the
    `team` fixture) is committed and needs attention on any day: its confidence fell from
    8 to 4 (its check-in is missing on some days only, after its time and the grace)."""
    kr = company_key_result(title="NPS")
    cycle = kr.objective.cycle
    onboarding = TeamObjectiveFactory(cycle=cycle, team=team, aligned_to=kr, state=State.COMMITTED)
    invoices = KeyResultFactory(objective=onboarding, title="Day-one invoices", confidence=4)
    monday = week_start(timezone.localdate())
    KeyResultUpdateFactory(
        key_result=invoices, week_start=monday - timedelta(weeks=1), confidence=8
    )
    KeyResultUpdateFactory(key_result=invoices, week_start=monday, confidence=4)
    payments = TeamObjectiveFactory(
        cycle=cycle, team=TeamFactory(name="Payments", slug="payments"), aligned_to=kr
    )
    growth = TeamObjectiveFactory(
        cycle=cycle,
        team=TeamFactory(name="Growth", slug="growth"),
        aligned_to=kr,
        state=State.SUBMITTED,
    )
    return kr, onboarding, payments, growth


def _teams(html: str) -> list[str]:
    return [
        name
        for name in ("Onboarding", "Payments", "Growth")
        if f'href="/teams/{name.lower()}/">{name}</a>' in html
    ]


@pytest.mark.dates
@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_everyone_signed_in_reads_the_dashboard(role_client, request, company):
    response = role_client.get("/")
    role = role_of(request)
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/")
        return
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 team objectives moving this" in html and "1 needs attention" in html
    assert _teams(html) == ["Onboarding", "Payments", "Growth"]
    # The team that needs attention comes first, then the others by name.
    assert html.index(">Onboarding<") < html.index(">Growth<") < html.index(">Payments<")
    assert '<svg class="sparkline"' not in html  # no weeks recorded yet: no sparkline
    assert (reverse("okrs:key-result-edit", args=[company[0].pk]) in html) is (role == "leader")
    # Leaders edit the company objective from its own page: a link to where it is edited.
    cycle_page = reverse("okrs:cycle-detail", args=[company[0].objective.cycle_id])
    assert (f'href="{cycle_page}#company-okr"' in html) is (role == "leader")


@pytest.mark.dates
def test_filters_narrow_the_teams_and_keep_the_counts(client_for, member, company):
    client = client_for(member)
    assert _teams(client.get("/?attention=1").content.decode()) == ["Onboarding"]
    assert _teams(client.get("/?state=submitted").content.decode()) == ["Growth"]
    assert _teams(client.get("/?q=PAY").content.decode()) == ["Payments"]
    assert _teams(client.get("/?mine=1").content.decode()) == ["Onboarding"]
    html = client.get("/?q=pay").content.decode()
    assert "3 team objectives moving this" in html and "1 matches the filters" in html
    html = client.get("/?q=nobody").content.decode()
    assert "No team objective matches the filters." in html
    assert "team objectives moving this" not in html
    # Nonsense in the query string is ignored, not a 500.
    assert len(_teams(client.get("/?state=bogus&page=x&kr=y").content.decode())) == 3


def test_filters_hide_the_key_results_no_matching_team_moves(client_for, member, company):
    kr, *_ = company
    other = KeyResultFactory(
        objective=kr.objective, title="Churn", position=2, current_value=kr.target_value
    )
    TeamObjectiveFactory(
        cycle=kr.objective.cycle, team=TeamFactory(name="Retention"), aligned_to=other
    )
    client = client_for(member)
    html = client.get("/").content.decode()
    assert ">NPS</h2>" in html and ">Churn</h2>" in html
    html = client.get("/?q=pay").content.decode()
    assert ">NPS</h2>" in html and ">Churn</h2>" not in html
    assert "1 more company key result with no team objective matching the filters" in html
    progress = re.search(r"Company objective progress.*?(\d+) %", client.get("/").text, re.S)
    filtered = re.search(r"Company objective progress.*?(\d+) %", html, re.S)
    assert progress.group(1) == filtered.group(1)  # the objective's progress stays whole


def test_the_filter_form_works_without_javascript_and_with_htmx(client_for, member, company):
    client = client_for(member)
    html = client.get("/?state=submitted").content.decode()
    assert '<form class="filters" method="get" action="/"' in html
    assert 'hx-push-url="true"' in html and '<option value="submitted" selected>' in html
    fragment = client.get("/?state=submitted", **HX)
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert body.strip().startswith('<div id="dashboard"') and _teams(body) == ["Growth"]
    assert "HX-Request" in fragment["Vary"]
    # The address bar gets only the filters in use: short links to share.
    assert fragment["HX-Push-Url"] == "/?state=submitted"
    assert client.get("/?attention=&state=&q=", **HX)["HX-Push-Url"] == "/"


# A Thursday evening in Amsterdam: the seeded teams check in Monday to Friday, so some have
# checked in this week and some not yet (on a Monday morning every committed team still
# misses this week's check-in and needs attention).
THURSDAY_EVENING = datetime(2026, 11, 26, 17, tzinfo=UTC)  # 18:00 in Amsterdam


@pytest.mark.dates(at=THURSDAY_EVENING, tick=False)
def test_hundreds_of_teams_are_paged_attention_first(client_for, leader):
    seed_scale(teams=40, weeks=3)
    client = client_for(leader)
    html = client.get("/").content.decode()
    kr_id = Cycle.objects.get(status="active").objectives.get(level="company").key_results.first()
    page1 = client.get(f"/?kr={kr_id.pk}&page=1").content.decode()
    page2 = client.get(f"/?kr={kr_id.pk}&page=2").content.decode()
    assert html.count('<li class="team-row') == 30  # 14, 13 and 13 teams: 10 a page
    assert "More teams" in html
    assert "Teams 11–14 of 14" in page2 and "Previous teams" in page2

    # attention first: across the key result's pages, no attention row after a plain one
    def rows_of_the_key_result(html):
        # the key result's list, up to its pager (a row's signals are a list of their own)
        start = html.index(f'<ul class="aligned__list" aria-labelledby="kr-{kr_id.pk}-teams"')
        rows = html[start : html.index('<nav class="pager"', start)]
        return re.findall(r'<li class="team-row( team-row--attention)?"', rows)

    flags = [bool(a) for html in (page1, page2) for a in rows_of_the_key_result(html)]
    assert len(flags) == 14
    assert True in flags and False in flags
    assert flags == sorted(flags, reverse=True)


def test_user_text_on_the_dashboard_is_escaped(client_for, member, company):
    _, onboarding, _, _ = company
    Objective.objects.filter(pk=onboarding.pk).update(title="<script>alert(1)</script>")
    client = client_for(member)
    html = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html
    assert 'value="&lt;b&gt;"' in client.get("/?q=<b>").content.decode()


def _record_a_value(company) -> None:
    """A member records a new value of one team's key result (as a check-in does)."""
    from okrs.services import key_result_record

    objective = Objective.objects.filter(
        cycle=company.cycle, level="team", state=State.COMMITTED
    ).first()
    key_result = objective.key_results.first()
    author = Membership.objects.filter(team=objective.team).first().user
    key_result_record(
        key_result=key_result,
        value=key_result.current_value + 1,
        confidence=5,
        comment="",
        author=author,
    )


@pytest.mark.parametrize("teams", TEAMS)
def test_the_home_page_query_count_does_not_grow_with_teams(
    client_for, teams, django_assert_num_queries
):
    company = seed_scale(teams=teams, weeks=4)
    client = client_for(company.leaders[0])
    client.get("/")  # the first reader computes every team objective's status row
    # Built once, then served from the shared cache to everyone asking the same this
    # minute: session, user, active cycle; any stale status rows?, their fingerprint, the
    # company's page epoch.
    with django_assert_num_queries(6):
        assert client.get("/").status_code == 200
    other_leader = client_for(company.leaders[1])
    with django_assert_num_queries(6):  # another leader, the same page
        assert other_leader.get("/").status_code == 200
    # Built: those six, then the company objective, its key results with owners, their
    # weekly history; the counts per company key result; a page of each of its three key
    # results' team objectives; those team objectives with teams, their key results, their
    # weekly history; the coach's findings dismissed on them (issue 18)
    caches["pages"].clear()
    # (a company key result no team moves has no page to read: the seed's spread of teams
    # over the three follows the date)
    moved = (
        Objective.objects.filter(cycle=company.cycle, level="team")
        .values("aligned_to")
        .distinct()
        .count()
    )
    built = 14 + moved
    with django_assert_num_queries(built):
        assert client.get("/").status_code == 200
    # After a write: that team's row is computed again (rows to make right?; lock,
    # objective, key results, weekly history, check-ins, the update, the cycle's new
    # status epoch, what the calendar decides and when to look again, in a savepoint;
    # then none left to compute? none left for the calendar?), and the page built again
    # (the fingerprint changed), whatever the company's size.
    _record_a_value(company)
    with django_assert_num_queries(built + 16):
        assert client.get("/").status_code == 200
    with django_assert_num_queries(built):
        assert client.get("/?q=team").status_code == 200
    with django_assert_num_queries(10):  # not in a team: no page of team objectives
        assert client.get("/?mine=1").status_code == 200


@pytest.mark.parametrize("teams", TEAMS)
def test_an_autosave_does_not_grow_with_teams(client_for, teams, django_assert_num_queries):
    """The check-in's autosave of a key result's value writes its own team's rows only."""
    company = seed_scale(teams=teams, weeks=4)
    objective = Objective.objects.filter(
        cycle=company.cycle, level="team", state=State.COMMITTED
    ).first()
    team = objective.team
    member = Membership.objects.filter(team=team, role="member").first().user
    week = week_start(timezone.localdate())
    CheckIn.objects.filter(team=team, week_start=week).delete()
    client = client_for(member)
    url = reverse("checkins:save", args=[team.slug, iso_week_label(week)])
    kr = objective.key_results.first()
    field = f"entry-{kr.pk}-value"
    client.get("/")  # every status row computed: which rows the autosave marks shows below
    assert (
        client.post(url, {"field": field, field: "41", f"{field}__base": ""}, **HX).status_code
        == 200
    )
    client.get("/")  # the first save's new check-in marked the team's row: computed again
    # session, user, team, roles, the check-in; in a savepoint: the objective's lock, the
    # check-in again, its cycle's status, the entry, its update, the check-in's time. A
    # draft's value is on no page and in no status row: no trigger writes anything.
    with django_assert_num_queries(13):
        response = client.post(url, {"field": field, field: "42", f"{field}__base": "41"}, **HX)
    assert response.status_code == 200
    assert not ObjectiveStatus.objects.filter(stale=True).exists()
    # Submitted, the check-in marks its own team's row, and only it.
    CheckIn.objects.filter(team=team, week_start=week).update(
        state=CheckIn.State.SUBMITTED, submitted_at=timezone.now()
    )
    stale = ObjectiveStatus.objects.filter(stale=True).values_list("team_id", flat=True)
    assert set(stale) == {team.pk}


@pytest.mark.parametrize("teams", TEAMS)
def test_the_overview_and_the_team_list_do_not_grow_with_teams(
    client_for, teams, django_assert_num_queries
):
    company = seed_scale(teams=teams, weeks=4)
    client = client_for(company.leaders[0])
    overview = reverse("dashboard:cycle-overview", args=[company.cycle.pk])
    client.get(overview)  # the first reader computes every status row
    # session, user, cycle; any stale status rows?, the totals, a
    # page of rows; their objectives with teams, their check-ins; confidence counts, the
    # objectives waiting for review and how many, their key results and the coach's
    # findings dismissed on them (issue 18: the findings of those waiting for review)
    with django_assert_num_queries(13):
        response = client.get(overview)
    assert response.status_code == 200
    _record_a_value(company)
    # the written team's row computed again and its calendar part stored (as on the home
    # page, test_the_home_page_query_count_does_not_grow_with_teams)
    with django_assert_num_queries(13 + 16):
        assert client.get(overview).status_code == 200
    with django_assert_num_queries(7):
        assert client.get(reverse("okrs:team-list")).status_code == 200
    committed = Objective.objects.filter(cycle=company.cycle, level="team", state=State.COMMITTED)[
        0
    ]
    slug = committed.team.slug
    # the team page, as a leader: flat too (what each query is: tests/okrs/test_team_views.py)
    with django_assert_num_queries(17):
        assert client.get(reverse("dashboard:team-detail", args=[slug])).status_code == 200


@pytest.mark.dates
@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_only_leaders_open_the_cycle_overview(role_client, request, company):
    response = role_client.get(
        reverse("dashboard:cycle-overview", args=[company[0].objective.cycle_id])
    )
    role = role_of(request)
    assert response.status_code == {"anonymous": 302, "leader": 200}.get(role, 403)
    if role == "leader":
        html = response.content.decode()
        assert "Waiting for review (1)" in html and "Growth" in html
        assert "24 hours after" in html  # the definition of on time is on the page


def test_the_overview_of_a_missing_cycle_is_404(client_for, leader):
    assert client_for(leader).get("/cycles/999/overview/").status_code == 404


def test_heatmap_cells_are_on_time_late_or_missed():
    # Tuesdays 10:00 in Amsterdam (09:00 UTC in winter).
    team = TeamFactory(checkin_weekday=1, checkin_time=time(10), time_zone="Europe/Amsterdam")
    monday = date(2026, 11, 23)
    due = datetime(2026, 11, 24, 9, tzinfo=UTC)
    now = datetime(2026, 12, 3, tzinfo=UTC)

    def submitted(at):
        return CheckIn(team=team, week_start=monday, state="submitted", submitted_at=at)

    assert cadence(team, monday, submitted(due - timedelta(hours=3)), now=now) == Cadence.ON_TIME
    assert cadence(team, monday, submitted(due + timedelta(hours=23)), now=now) == Cadence.ON_TIME
    assert cadence(team, monday, submitted(due + timedelta(hours=25)), now=now) == Cadence.LATE
    assert cadence(team, monday, None, now=now) == Cadence.MISSED
    draft = CheckIn(team=team, week_start=monday, state="draft")
    assert cadence(team, monday, draft, now=now) == Cadence.MISSED
    assert cadence(team, monday, None, now=due + timedelta(hours=2)) == Cadence.OPEN
    assert cadence(team, monday, None, now=due - timedelta(hours=2)) == Cadence.NOT_DUE


def test_weeks_before_a_team_committed_or_the_cycle_began_were_not_due():
    # The cycle begins on a Wednesday; the team checks in on Mondays at 10:00.
    cycle = CycleFactory(
        name="Q", start_date=date(2026, 11, 4), end_date=date(2027, 2, 1), status="active"
    )
    kr = company_key_result(cycle)
    late_starter = TeamObjectiveFactory(
        cycle=cycle, aligned_to=kr, state=Objective.State.COMMITTED, team=TeamFactory()
    )
    ObjectiveEventFactory(objective=late_starter, verb=ObjectiveEvent.Verb.COMMITTED)
    ObjectiveEvent.objects.filter(objective=late_starter).update(
        created_at=datetime(2026, 11, 18, 12, tzinfo=UTC)  # a Wednesday, in week 47
    )
    overview = cycle_overview_get(cycle=cycle, now=datetime(2026, 11, 26, 12, tzinfo=UTC))
    assert overview.weeks == ["2026-W45", "2026-W46", "2026-W47", "2026-W48"]
    (row,) = overview.rows
    # W45: its Monday came before the cycle; W46, W47: before the commitment
    assert [c.status for c in row.cells] == ["not_due", "not_due", "not_due", "missed"]
    assert row.cells[0].label == "not due"


def test_the_heatmap_shows_each_teams_weeks_worst_first(client_for, leader):
    cycle = CycleFactory(
        name="Q", start_date=date(2026, 11, 16), end_date=date(2027, 2, 1), status="active"
    )
    kr = company_key_result(cycle)
    committed = Objective.State.COMMITTED
    steady = TeamObjectiveFactory(
        cycle=cycle,
        aligned_to=kr,
        state=committed,
        team=TeamFactory(name="Steady", checkin_time=time(10)),
    )
    patchy = TeamObjectiveFactory(
        cycle=cycle,
        aligned_to=kr,
        state=committed,
        team=TeamFactory(name="Patchy", checkin_time=time(10)),
    )
    # a team still drafting has no check-in due: not in the heatmap
    TeamObjectiveFactory(cycle=cycle, aligned_to=kr, team=TeamFactory(name="Drafting"))
    for week in (date(2026, 11, 16), date(2026, 11, 23)):
        CheckInFactory(
            team=steady.team,
            objective=steady,
            week_start=week,
            state="submitted",
            submitted_at=datetime.combine(week, time(9), tzinfo=UTC),
        )
    CheckInFactory(
        team=patchy.team,
        objective=patchy,
        week_start=date(2026, 11, 16),
        state="submitted",
        submitted_at=datetime(2026, 11, 19, tzinfo=UTC),
    )
    overview = cycle_overview_get(cycle=cycle, now=datetime(2026, 11, 26, 12, tzinfo=UTC))
    assert overview.weeks == ["2026-W47", "2026-W48"]
    rows = {row.team.name: [c.status for c in row.cells] for row in overview.rows}
    assert rows == {"Steady": ["on_time", "on_time"], "Patchy": ["late", "missed"]}
    assert [row.team.name for row in overview.rows] == ["Patchy", "Steady"]
    assert (overview.totals["on_time"], overview.totals["late"], overview.totals["missed"]) == (
        2,
        1,
        1,
    )


@pytest.mark.dates
def test_seed_scale_creates_a_believable_company(capsys):
    call_command("seed_scale", teams=4, weeks=3)
    assert "Seeded 4 teams x 3 weeks" in capsys.readouterr().out
    cycle = Cycle.objects.get(status="active")
    teams = Team.objects.exclude(name="Leadership")
    assert teams.count() == 4
    assert Membership.objects.filter(team__in=teams).count() == 20
    objectives = Objective.objects.filter(cycle=cycle, level="team")
    assert objectives.count() == 4 and all(o.key_results.count() == 3 for o in objectives)
    assert Objective.objects.get(cycle=cycle, level="company").key_results.count() == 3
    assert CheckIn.objects.filter(team__in=teams).exists()
    assert Team.objects.get(name="Leadership").memberships.filter(user__is_leader=True).count() == 3
    # a second run adds another company beside the first
    call_command("seed_scale", teams=4, weeks=3)
    assert Cycle.objects.get(status="active") != cycle
    assert Team.objects.count() == 10 and Cycle.objects.filter(status="closed").count() == 1


@pytest.mark.dates
def test_the_dashboard_follows_changes_without_waiting(client_for, member, company):
    """The rows are reused between requests only while nothing they show has changed."""
    from okrs import services

    kr, onboarding, *_ = company
    cycle = kr.objective.cycle
    today = timezone.localdate()
    started = today - timedelta(days=60)
    services.cycle_update(
        cycle=cycle, name=cycle.name, start_date=started, end_date=today + timedelta(days=300)
    )
    team_kr = onboarding.key_results.get()
    services.key_result_record(
        key_result=team_kr, value=team_kr.current_value, confidence=9, comment="", author=member
    )
    client = client_for(member)
    assert "far behind the pace" not in client.get("/").content.decode()
    # the cycle ends sooner: the pace line, and so the signals, move
    cycle.refresh_from_db()
    services.cycle_update(
        cycle=cycle, name=cycle.name, start_date=started, end_date=today + timedelta(days=5)
    )
    assert "far behind the pace" in client.get("/").content.decode()
    # a recorded value shows at once
    services.key_result_record(
        key_result=team_kr, value=team_kr.target_value, confidence=9, comment="", author=member
    )
    assert "far behind the pace" not in client.get("/").content.decode()


@pytest.mark.dates
def test_a_built_home_page_is_shared_yet_shows_every_write_at_once(
    client_for, member, leader, company
):
    """Built once for everyone asking the same (the shared cache), under a key that any
    write it shows changes: a team's (its status row's fingerprint), the company's (the
    page epoch), the filters and the person for "my teams"."""
    from okrs.models import KeyResult

    kr, onboarding, payments, _growth = company
    assert "NPS" in client_for(leader).get("/").content.decode()
    KeyResult.objects.filter(pk=kr.pk).update(title="Net promoter score")  # the company's
    html = client_for(member).get("/").content.decode()
    assert "Net promoter score" in html
    Team.objects.filter(pk=payments.team_id).update(name="Billing")  # a team's own row
    html = client_for(member).get("/").content.decode()
    assert ">Billing<" in html and ">Payments<" not in html
    # "my teams" is the asker's: the member of Onboarding and the leader differ
    assert _teams(client_for(member).get("/?mine=1").content.decode()) == ["Onboarding"]
    assert "No team objective matches" in client_for(leader).get("/?mine=1").content.decode()


def test_the_shared_home_page_keeps_each_readers_rights(client_for, member, leader, company):
    """The rendered company OKR is shared by readers with the same rights: a leader's
    edit links never reach a member who asks next, and the htmx fragment is its own."""
    assert "Edit the company OKR" in client_for(leader).get("/").content.decode()
    html = client_for(member).get("/").content.decode()
    assert "Edit the company OKR" not in html and "Onboarding" in html
    assert "Edit the company OKR" in client_for(leader).get("/").content.decode()
    fragment = client_for(member).get("/", headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="dashboard"')
    assert (
        "<html" not in client_for(leader).get("/", headers={"HX-Request": "true"}).content.decode()
    )
