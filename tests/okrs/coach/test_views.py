"""The coach on the pages: findings as people type and after a save without
JavaScript, dismissals kept in the history, the leader's challenge, the help page."""

import pytest
from django.urls import reverse

from okrs.models import Comment, Objective, ObjectiveEvent
from tests.factories import KeyResultFactory, TeamObjectiveFactory
from tests.helpers import HX, ROLES, prefixed, role_of

pytestmark = pytest.mark.django_db

State = Objective.State
OUTPUT = "Launch the new onboarding flow"
OUTCOME = "Share of new accounts that send an invoice in week one"


@pytest.fixture
def objective(team, member):
    objective = TeamObjectiveFactory(team=team, state=State.DRAFT)
    KeyResultFactory(
        objective=objective, title="Setup steps before the first invoice", owner=member,
        kind="decrease", start_value=9, target_value=3,
    )  # fmt: skip
    return objective


def typed(prefix="new", **values) -> dict:
    fields = {"title": OUTPUT, "kind": "milestone", "start_value": "0", "target_value": "1",
              "current_value": "0", "unit": "", "owner": ""}  # fmt: skip
    fields.update(values)
    return prefixed(prefix, fields)


def coach_url(objective, **query) -> str:
    base = reverse("okrs:coach-findings", args=[objective.pk])
    return base + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def rules_in(html: str) -> set[str]:
    import re

    return set(re.findall(r'data-rule="([a-z_]+)"', html))


def test_findings_appear_as_a_key_result_is_typed(client_for, member, objective):
    client = client_for(member)
    url = coach_url(objective, part="key_result", prefix="new")
    html = client.post(url, typed(), **HX).content.decode()
    assert "An activity, not an outcome" in html and "(Launch)" in html
    assert {"activity", "no_owner", "all_milestones"} <= rules_in(html) | {"all_milestones"}
    # rewritten as an outcome, with a number and an owner: the hint goes away
    better = typed(title=OUTCOME, kind="increase", start_value="35", target_value="60",
                   owner=str(member.pk))  # fmt: skip
    assert rules_in(client.post(url, better, **HX).content.decode()) == set()


def test_editing_a_key_result_replaces_it_in_the_set(client_for, member, objective):
    kr = objective.key_results.get()
    url = coach_url(objective, part="key_result", prefix=f"kr{kr.pk}", key_result=kr.pk)
    html = client_for(member).post(url, typed(f"kr{kr.pk}"), **HX).content.decode()
    # one key result, a milestone: the set is all milestones and too few
    assert {"activity", "all_milestones", "key_result_count"} <= rules_in(html)


def test_a_new_objective_title_is_coached_as_typed(client_for, lead):
    url = reverse("okrs:coach-draft") + "?part=objective&prefix=objective"
    html = client_for(lead).post(url, {"objective-title": "Maintain 99 % uptime"}, **HX)
    assert rules_in(html.content.decode()) == {"objective_keep", "objective_number"}
    fine = client_for(lead).post(url, {"objective-title": "Invoicing feels effortless"}, **HX)
    assert rules_in(fine.content.decode()) == set()


def test_the_forms_show_the_findings_without_javascript(client_for, member, objective):
    client = client_for(member)
    kr = objective.key_results.get()
    page = client.get(reverse("okrs:key-result-edit", args=[kr.pk])).content.decode()
    assert 'id="coach-kr' in page and 'hx-trigger="keyup changed delay:500ms, change"' in page
    assert "Two to five key results" in page  # what is saved, coached on the form's page
    # the coach never blocks saving: an output key result is saved, and the team page
    # (where the form sends people back to) shows the finding
    response = client.post(reverse("okrs:key-result-create", args=[objective.pk]), typed())
    assert response.status_code == 302
    assert objective.key_results.filter(title=OUTPUT).exists()
    team_page = client.get(response["Location"]).content.decode()
    assert "An activity, not an outcome" in team_page and "The coach: " in team_page


def test_an_invalid_form_comes_back_with_its_findings(client_for, member, objective):
    response = client_for(member).post(
        reverse("okrs:key-result-create", args=[objective.pk]),
        typed(kind="increase", start_value="5", target_value="5"),
    )
    assert response.status_code == 422
    assert "no_baseline" in rules_in(response.content.decode())


def _dismiss(client, objective, key, reason="We count pilots on purpose.", **extra):
    return client.post(
        reverse("okrs:coach-dismiss", args=[objective.pk]), {"key": key, "reason": reason}, **extra
    )


def test_a_dismissed_finding_stays_dismissed_with_its_reason(client_for, member, objective):
    kr = KeyResultFactory(objective=objective, title=OUTPUT, kind="milestone", owner=member,
                          start_value=0, target_value=1, current_value=0)  # fmt: skip
    client = client_for(member)
    page = reverse("dashboard:team-detail", args=[objective.team.slug])
    assert f'value="activity:{kr.pk}"' in client.get(page).content.decode()
    assert _dismiss(client, objective, f"activity:{kr.pk}").status_code == 302
    event = ObjectiveEvent.objects.get(verb=ObjectiveEvent.Verb.COACH_DISMISSED)
    assert (event.key_result, event.actor, event.reason) == (
        kr,
        member,
        "We count pilots on purpose.",
    )
    html = client.get(page).content.decode()
    assert f'value="activity:{kr.pk}"' not in html
    assert "dismissed the coach&#x27;s finding" in html and "We count pilots on purpose." in html
    history = client.get(reverse("okrs:objective-history", args=[objective.pk])).content.decode()
    assert "An activity, not an outcome: Launch the new onboarding flow" in history
    # the dismissal holds for the objective, also as people type
    url = coach_url(objective, part="key_result", prefix=f"kr{kr.pk}", key_result=kr.pk)
    assert "activity" not in rules_in(client.post(url, typed(f"kr{kr.pk}"), **HX).content.decode())
    # once is enough, and a reason is needed
    assert _dismiss(client, objective, f"activity:{kr.pk}").status_code == 302
    assert ObjectiveEvent.objects.filter(verb="coach_dismissed").count() == 1
    response = _dismiss(client, objective, f"no_owner:{kr.pk}", reason=" ", **HX)
    assert response.status_code == 422 and "Say why" in response.content.decode()
    assert _dismiss(client, objective, "no_such_rule", **HX).status_code == 422


def test_only_what_the_coach_says_now_can_be_dismissed(client_for, member, objective):
    """A finding dismissed before it shows would never show: the key result has an
    owner, so "no owner" is refused, and odd ids are refused, not a server error."""
    kr = objective.key_results.get()
    client = client_for(member)
    for key in (f"no_owner:{kr.pk}", "no_owner:\u00b2", "sandbagging"):
        response = _dismiss(client, objective, key, **HX)
        assert response.status_code == 422, key
    assert not ObjectiveEvent.objects.filter(verb="coach_dismissed").exists()


def test_odd_numbers_and_ids_as_typed_are_no_server_error(client_for, member, objective):
    client = client_for(member)
    url = coach_url(objective, part="key_result", prefix="new")
    huge = typed(title=OUTCOME, kind="increase", start_value="-9e999999", target_value="9e999999")
    response = client.post(url, huge, **HX)
    # numbers no key result can hold are no numbers
    assert response.status_code == 200 and "no_number" in rules_in(response.content.decode())
    odd = coach_url(objective, part="key_result", prefix="new", key_result="%C2%B2")
    assert client.post(odd, typed(), **HX).status_code == 200


def test_the_leader_turns_a_finding_into_a_challenge(client_for, leader, member, objective):
    kr = KeyResultFactory(objective=objective, title=OUTPUT, kind="milestone", owner=member,
                          start_value=0, target_value=1, current_value=0)  # fmt: skip
    Objective.objects.filter(pk=objective.pk).update(state=State.SUBMITTED)
    client = client_for(leader)
    page = client.get(reverse("dashboard:team-detail", args=[objective.team.slug])).content
    assert b"open findings" in page and f'value="activity:{kr.pk}"'.encode() in page
    url = reverse("okrs:team-objective-challenge", args=[objective.pk])
    response = client.post(
        url, {"challenge-use": f"activity:{kr.pk}", "challenge-body": "Hm."}, **HX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hm.\n\n“Launch the new onboarding flow”: An activity, not an outcome." in html
    assert 'value="outcome" id="id_challenge-aspects_3" checked' in html.replace(
        "checked\n", "checked"
    )
    objective.refresh_from_db()
    assert objective.state == State.SUBMITTED  # nothing sent until the leader says so
    assert not Comment.objects.exists()


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_who_may_ask_the_coach_and_dismiss(role_client, request, objective):
    role = role_of(request)
    editors = {"member", "lead", "leader"}
    response = role_client.post(coach_url(objective, part="key_result", prefix="new"), typed())
    assert response.status_code == (302 if role == "anonymous" else 200 if role in editors else 403)
    kr = objective.key_results.get()
    objective.key_results.update(owner=None)  # the coach says so now: "no owner"
    response = _dismiss(role_client, objective, f"no_owner:{kr.pk}")
    assert response.status_code == (302 if role in editors | {"anonymous"} else 403)
    dismissed = ObjectiveEvent.objects.filter(verb="coach_dismissed").exists()
    assert dismissed == (role in editors)


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_everyone_signed_in_reads_how_to_write_okrs(role_client, request):
    response = role_client.get(reverse("okrs:writing-help"))
    if role_of(request) == "anonymous":
        assert response.status_code == 302
        return
    html = response.content.decode()
    assert "How to write OKRs" in html and 'id="rule-activity"' in html
    assert "Launch the new onboarding flow" in html  # each rule with an example
    assert '<meta name="viewport"' in html
