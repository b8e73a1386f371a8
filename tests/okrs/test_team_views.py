"""Team pages and the review workflow through HTTP, for every role."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from okrs.models import Comment, Cycle, KeyResult, Objective
from tests.factories import (
    CommentFactory,
    CompanyObjectiveFactory,
    KeyResultFactory,
    MembershipFactory,
    TeamFactory,
    TeamObjectiveFactory,
)
from tests.fixtures.okrs import company_key_result
from tests.helpers import HX, ROLES, prefixed, role_of

pytestmark = pytest.mark.django_db

State = Objective.State


def expect(role: str, allowed: set[str], ok: int = 302) -> int:
    if role == "anonymous":
        return 302
    return ok if role in allowed else 403


@pytest.fixture
def objective(team):
    objective = TeamObjectiveFactory(team=team, state=State.DRAFT)
    KeyResultFactory(objective=objective, title="Sign-ups invoicing on day one")
    return objective


def kr_form(kr=None, **overrides):
    prefix = f"kr{kr.pk}" if kr else "new"
    values = {
        "title": "Setup steps before the first invoice",
        "kind": "decrease",
        "start_value": "9",
        "target_value": "3",
        "current_value": "9",
        "unit": "steps",
        "owner": "",
        "version": str(kr.version) if kr else "",
        "reason": "",
    }
    values.update(overrides)
    return prefixed(prefix, values)


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_everyone_signed_in_reads_every_team(role_client, request, objective):
    role = role_of(request)
    for url in (reverse("okrs:team-list"), reverse("dashboard:team-detail", args=["onboarding"])):
        response = role_client.get(url)
        assert response.status_code == (302 if role == "anonymous" else 200)
        if role != "anonymous":
            assert objective.title in response.content.decode()


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_only_the_team_and_leaders_draft_key_results(role_client, request, objective):
    role = role_of(request)
    allowed = {"member", "lead", "leader"}
    url = reverse("okrs:key-result-create", args=[objective.pk])
    assert role_client.post(url, kr_form()).status_code == expect(role, allowed)
    kr = objective.key_results.first()
    edit = reverse("okrs:key-result-edit", args=[kr.pk])
    response = role_client.post(
        edit, kr_form(kr, title="Renamed", kind="increase", start_value="1", target_value="2")
    )
    assert response.status_code == expect(role, allowed)
    titles = set(objective.key_results.values_list("title", flat=True))
    if role in allowed:
        assert titles == {"Renamed", "Setup steps before the first invoice"}
    else:
        assert titles == {"Sign-ups invoicing on day one"}


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_only_the_team_submits(role_client, request, objective):
    role = role_of(request)
    response = role_client.post(reverse("okrs:team-objective-submit", args=[objective.pk]))
    assert response.status_code == expect(role, {"member", "lead"})
    objective.refresh_from_db()
    assert (objective.state == State.SUBMITTED) is (role in {"member", "lead"})


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_only_leaders_challenge_and_commit(role_client, request, objective):
    role = role_of(request)
    Objective.objects.filter(pk=objective.pk).update(state=State.SUBMITTED)
    response = role_client.post(
        reverse("okrs:team-objective-challenge", args=[objective.pk]),
        {"challenge-aspects": ["ambition"], "challenge-body": "Aim higher"},
    )
    assert response.status_code == expect(role, {"leader"})
    objective.refresh_from_db()
    assert (objective.state == State.CHALLENGED) is (role == "leader")
    Objective.objects.filter(pk=objective.pk).update(state=State.SUBMITTED)
    response = role_client.post(reverse("okrs:team-objective-commit", args=[objective.pk]))
    assert response.status_code == expect(role, {"leader"})
    objective.refresh_from_db()
    assert (objective.state == State.COMMITTED) is (role == "leader")


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_leaders_define_and_team_leads_propose(role_client, request, team):
    role = role_of(request)
    company_kr = company_key_result()
    response = role_client.post(
        reverse("okrs:team-objective-create", args=[team.slug]),
        {
            "objective-title": "New accounts invoice on day one",
            "objective-context": "Why",
            "objective-aligned_to": str(company_kr.pk),
        },
    )
    assert response.status_code == expect(role, {"leader", "lead"})
    objective = Objective.objects.filter(team=team).first()
    if role == "leader":
        assert objective.state == State.DRAFT
    elif role == "lead":
        assert objective.state == State.PROPOSED
    else:
        assert objective is None


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_the_team_and_leaders_discuss(role_client, request, objective):
    role = role_of(request)
    response = role_client.post(
        reverse("okrs:comment-create", args=[objective.pk]), {"comment-body": "What about X?"}
    )
    assert response.status_code == expect(role, {"member", "lead", "leader"})
    assert Comment.objects.filter(body="What about X?").exists() is (
        role in {"member", "lead", "leader"}
    )


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_only_leaders_accept_or_decline_proposals(role_client, request, objective):
    role = role_of(request)
    Objective.objects.filter(pk=objective.pk).update(state=State.PROPOSED)
    response = role_client.post(
        reverse("okrs:team-objective-decline", args=[objective.pk]),
        {"decline-reason": "That is a solution, not an outcome"},
    )
    assert response.status_code == expect(role, {"leader"})
    objective.refresh_from_db()
    assert (objective.state == State.ARCHIVED) is (role == "leader")


def test_a_member_of_another_team_is_an_outsider(client_for, objective, stranger):
    client = client_for(stranger)
    kr = objective.key_results.first()
    assert client.post(reverse("okrs:key-result-delete", args=[kr.pk])).status_code == 403
    assert (
        client.post(reverse("okrs:team-objective-submit", args=[objective.pk])).status_code == 403
    )
    assert KeyResult.objects.filter(pk=kr.pk).exists()


def test_illegal_transitions_show_a_message(client_for, leader, objective):
    response = client_for(leader).post(
        reverse("okrs:team-objective-commit", args=[objective.pk]), follow=True
    )
    assert "Only submitted key results can be committed" in response.content.decode()
    objective.refresh_from_db()
    assert objective.state == State.DRAFT


def test_a_committed_target_change_without_reason_is_refused(client_for, member, objective):
    Objective.objects.filter(pk=objective.pk).update(state=State.COMMITTED)
    kr = objective.key_results.first()
    url = reverse("okrs:key-result-edit", args=[kr.pk])
    data = kr_form(
        kr,
        title=kr.title,
        kind="increase",
        start_value="0",
        target_value="150",
        current_value="25",
        unit="%",
    )
    response = client_for(member).post(url, data, **HX)
    assert response.status_code == 422
    assert "say why you change them" in response.content.decode()
    kr.refresh_from_db()
    assert kr.target_value == D(100)
    data[f"kr{kr.pk}-reason"] = "The pilot doubled conversion"
    assert client_for(member).post(url, data, **HX).status_code == 200
    kr.refresh_from_db()
    assert kr.target_value == D(150)


def test_team_fragment_for_htmx(client_for, member, objective):
    response = client_for(member).post(
        reverse("okrs:team-objective-submit", args=[objective.pk]), **HX
    )
    assert response["HX-Retarget"] == "#team-okr"
    assert response.content.decode().lstrip().startswith('<section id="team-okr"')
    assert "Submitted for review" in response.content.decode()


def test_team_text_is_escaped(client_for, member, team):
    objective = TeamObjectiveFactory(team=team, title="<script>alert(1)</script>")
    CommentFactory(objective=objective, author=member, body="<img src=x onerror=alert(2)>")
    html = (
        client_for(member).get(reverse("dashboard:team-detail", args=[team.slug])).content.decode()
    )
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_team_page_query_count_is_flat(client_for, member, team, django_assert_num_queries):
    objective = TeamObjectiveFactory(team=team, state=State.CHALLENGED)
    for i in range(5):
        KeyResultFactory(objective=objective, owner=member, updated_by=member, position=i)
        CommentFactory(objective=objective, author=member, body=f"Comment {i}")
        MembershipFactory(team=team)
    client = client_for(member)
    # session, user, team, active cycle, memberships, objective (+ alignment),
    # key results, comments, history, the viewer's team roles, the key results' weekly
    # history, then the check-in section: recent check-ins, obstacles and help
    # requests, experiments; the team's objective of the last cycle that is over; and the
    # coach's findings dismissed on the objective
    with django_assert_num_queries(16):
        assert client.get(reverse("dashboard:team-detail", args=[team.slug])).status_code == 200


def test_team_list_query_count_is_flat(client_for, member, django_assert_num_queries):
    cycle = CompanyObjectiveFactory(cycle__status=Cycle.Status.ACTIVE).cycle
    for i in range(6):
        objective = TeamObjectiveFactory(cycle=cycle, team=TeamFactory(name=f"T{i}", slug=f"t{i}"))
        KeyResultFactory(objective=objective)
    client = client_for(member)
    # session, user, active cycle, the number of teams, one page of teams with member
    # counts, their objectives, key results
    with django_assert_num_queries(7):
        response = client.get(reverse("okrs:team-list"))
    assert response.content.decode().count('class="card team-card"') == 7


def test_the_team_list_pages_and_searches(client_for, member):
    TeamFactory.create_batch(60)  # "Team 0" … plus Onboarding
    client = client_for(member)
    first = client.get(reverse("okrs:team-list")).text
    assert first.count('class="card team-card"') == 48
    assert "61 teams" in first and "page 1 of 2" in first and 'rel="next"' in first
    second = client.get(reverse("okrs:team-list"), {"page": 2}).text
    assert second.count('class="card team-card"') == 13 and 'rel="prev"' in second
    # out-of-range and nonsense pages show a page, never an error
    assert client.get(reverse("okrs:team-list"), {"page": "99"}).status_code == 200
    assert client.get(reverse("okrs:team-list"), {"page": "x"}).status_code == 200
    found = client.get(reverse("okrs:team-list"), {"q": "onboard"}).text
    assert found.count('class="card team-card"') == 1 and "Onboarding" in found
    assert "1 team matching “onboard”" in found
    nothing = client.get(reverse("okrs:team-list"), {"q": "<script>x"}).text
    assert "No team matches “&lt;script&gt;x”." in nothing


def test_leaders_reword_and_realign_a_team_objective_inline(client_for, leader, objective):
    other_kr = KeyResultFactory(objective=objective.aligned_to.objective, title="Referrals")
    url = reverse("okrs:objective-edit", args=[objective.pk])
    client = client_for(leader)
    form = client.get(url, **HX).content.decode()
    assert "Company key result it moves" in form and "<html" not in form
    data = {
        "title": "Reworded",
        "context": "Why",
        "aligned_to": str(other_kr.pk),
        "version": str(objective.version),
    }
    response = client.post(url, data, **HX)
    assert response["HX-Retarget"] == "#team-okr"
    objective.refresh_from_db()
    assert (objective.title, objective.aligned_to) == ("Reworded", other_kr)
    assert objective.events.get(verb="reworded").changes["aligned_to"][1] == "Referrals"
    stale = client.post(url, {**data, "title": "Stale"}, **HX)
    assert stale.status_code == 409


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (State.PROPOSED, "A proposed objective is accepted"),
        (State.ARCHIVED, "An archived objective no longer changes."),
    ],
)
def test_a_proposed_or_archived_objective_is_not_reworded(
    client_for, leader, objective, state, message
):
    Objective.objects.filter(pk=objective.pk).update(state=state)
    before = (objective.title, objective.context, objective.version)
    url = reverse("okrs:objective-edit", args=[objective.pk])
    data = {
        "title": "Reworded anyway",
        "context": "Why",
        "aligned_to": str(objective.aligned_to_id),
        "version": str(objective.version),
    }
    response = client_for(leader).post(url, data)
    assert response.status_code == 422 and message in response.content.decode()
    objective.refresh_from_db()
    assert (objective.title, objective.context, objective.version) == before
    assert not objective.events.exists()


@pytest.mark.parametrize("role_client", ["member", "lead", "outsider"], indirect=True)
def test_only_leaders_reword_a_team_objective(role_client, objective):
    url = reverse("okrs:objective-edit", args=[objective.pk])
    data = {
        "title": "Mine now",
        "context": "",
        "aligned_to": str(objective.aligned_to_id),
        "version": "1",
    }
    assert role_client.post(url, data).status_code == 403
    objective.refresh_from_db()
    assert objective.title != "Mine now"


def test_htmx_changes_confirm_in_the_message_area(client_for, member, objective):
    response = client_for(member).post(
        reverse("okrs:team-objective-submit", args=[objective.pk]), **HX
    )
    html = response.content.decode()
    assert (
        '<div id="messages" class="messages" role="status" aria-live="polite" hx-swap-oob="true">'
        in html
    )
    assert "Submitted for review: the leaders have been told." in html


def test_challenges_and_commits_are_audited(client_for, leader, objective):
    from teams.models import AuditEvent

    Objective.objects.filter(pk=objective.pk).update(state=State.SUBMITTED)
    client = client_for(leader)
    client.post(
        reverse("okrs:team-objective-challenge", args=[objective.pk]),
        {"challenge-aspects": ["ambition"], "challenge-body": "Aim higher"},
    )
    Objective.objects.filter(pk=objective.pk).update(state=State.SUBMITTED)
    client.post(reverse("okrs:team-objective-commit", args=[objective.pk]))
    # A refused commit (already committed) is not audited.
    client.post(reverse("okrs:team-objective-commit", args=[objective.pk]))
    actions = list(AuditEvent.objects.exclude(action="signed_in").values_list("action", "actor"))
    assert sorted(actions) == [("challenged", leader.pk), ("committed", leader.pk)]
