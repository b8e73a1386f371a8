"""Recording a value and commenting through the API: the pages' services, the same
append-only history, audited with the token, bad input refused with nothing written,
and a stale version answered 409 as the pages do."""

from decimal import Decimal

import pytest

from okrs import services as okr_services
from okrs.models import Comment, KeyResult, KeyResultUpdate, Objective
from teams.models import AuditEvent, Membership
from tests.api.test_permissions import database_state
from tests.fixtures.okrs import key_result_data


def values_path(kr) -> str:
    return f"/api/v1/key-results/{kr.pk}/values"


@pytest.mark.django_db
def test_a_value_goes_into_the_history_and_the_audit_log(api_world, api_tokens, member):
    kr = api_world.key_result
    client = api_tokens.client("member", REMOTE_ADDR="203.0.113.9")
    response = client.post(values_path(kr), {"value": "42.5", "confidence": 7, "comment": "CI"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["value"]["value"] == "42.5000"
    assert body["key_result"]["current_value"] == "42.5000"
    assert body["key_result"]["version"] == kr.version + 1
    update = KeyResultUpdate.objects.get(key_result=kr)
    assert (update.value, update.confidence, update.comment, update.author) == (
        Decimal("42.5"),
        7,
        "CI",
        member,
    )
    kr.refresh_from_db()
    assert (kr.current_value, kr.confidence) == (Decimal("42.5"), 7)
    event = AuditEvent.objects.get(action=AuditEvent.Action.API_WRITE)
    token = api_tokens.tokens["member"]
    assert event.actor == member
    assert event.ip_address == "203.0.113.9"
    assert token.prefix in event.via and token.name in event.via
    assert kr.title in event.subject


@pytest.mark.django_db
def test_a_team_token_records_as_the_lead_who_made_it(api_world, api_tokens, lead):
    response = api_tokens.client("team_token").post(values_path(api_world.key_result), {"value": 3})
    assert response.status_code == 201
    assert KeyResultUpdate.objects.get().author == lead
    token = api_tokens.tokens["team_token"]
    assert token.prefix in AuditEvent.objects.get(action=AuditEvent.Action.API_WRITE).via


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"value": "abc"}, 422, "value"),
        ({"value": "NaN"}, 422, "value"),
        ({"value": "Infinity"}, 422, "value"),
        ({"value": "9e999999"}, 422, "value"),
        ({"value": "1.00001"}, 422, "value"),
        ({}, 422, "value"),
        ({"value": 5, "confidence": 11}, 422, "confidence"),
        ({"value": 5, "confidence": -1}, 422, "confidence"),
        ({"value": 5, "comment": "x" * 501}, 422, "comment"),
        ({"value": 5, "version": "old"}, 422, "version"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(api_world, api_tokens, body, status, field):
    before = database_state()
    response = api_tokens.client("member").post(values_path(api_world.key_result), body)
    assert response.status_code == status, response.content
    assert field in response.json()["errors"]
    assert database_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["{nope", "[1, 2", "\x00"])
def test_a_body_that_is_no_json_is_a_400(api_world, api_tokens, raw):
    before = database_state()
    response = api_tokens.client("member").post(values_path(api_world.key_result), raw=raw)
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    assert database_state() == before


@pytest.mark.django_db
def test_the_services_rules_answer_422_with_their_message(api_world, api_tokens):
    kr = api_world.key_result
    KeyResult.objects.filter(pk=kr.pk).update(kind=KeyResult.Kind.MILESTONE)
    before = database_state()
    response = api_tokens.client("member").post(values_path(kr), {"value": 5})
    assert response.status_code == 422
    assert "milestone" in response.json()["detail"]
    assert database_state() == before
    Objective.objects.filter(pk=api_world.objective.pk).update(state=Objective.State.DRAFT)
    before = database_state()
    response = api_tokens.client("member").post(values_path(kr), {"value": 1})
    assert response.status_code == 422
    assert "committed" in response.json()["detail"]
    assert database_state() == before


@pytest.mark.django_db
def test_a_value_sent_after_someone_changed_the_key_result_is_a_409(api_world, api_tokens, lead):
    """The client read version v; a teammate edits the key result on its page (v+1);
    the client's value with version v is refused as the page refuses a stale edit."""
    kr = api_world.key_result
    client = api_tokens.client("member")
    read = client.get(f"/api/v1/teams/{api_world.team.slug}/objective").json()
    version = next(k["version"] for k in read["key_results"] if k["id"] == kr.pk)
    kr.refresh_from_db()
    okr_services.key_result_update(
        key_result=kr,
        data=key_result_data(title="Invoices sent on day one", target_value=Decimal(90)),
        expected_version=kr.version,
        actor=lead,
        reason="We learned more.",
    )
    before = database_state()
    response = client.post(values_path(kr), {"value": 12, "version": version})
    assert response.status_code == 409
    body = response.json()
    assert body["key_result"]["version"] == version + 1
    assert body["key_result"]["target_value"] == "90.0000"
    assert "nothing was recorded" in body["detail"]
    assert database_state() == before
    again = client.post(values_path(kr), {"value": 12, "version": version + 1})
    assert again.status_code == 201


@pytest.mark.django_db
def test_a_comment_is_posted_and_audited(api_world, api_tokens, member):
    response = api_tokens.client("member").post(
        f"/api/v1/objectives/{api_world.objective.pk}/comments", {"body": "Import is live."}
    )
    assert response.status_code == 201
    comment = Comment.objects.get(objective=api_world.objective)
    assert (comment.body, comment.author) == ("Import is live.", member)
    assert response.json()["id"] == comment.pk
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_WRITE, actor=member).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{"body": ""}, {"body": "x" * 5001}, {}])
def test_a_bad_comment_is_refused(api_world, api_tokens, body):
    before = database_state()
    response = api_tokens.client("member").post(
        f"/api/v1/objectives/{api_world.objective.pk}/comments", body
    )
    assert response.status_code == 422
    assert database_state() == before


@pytest.mark.django_db
def test_a_company_objective_takes_no_comment(api_world, api_tokens):
    response = api_tokens.client("leader").post(
        f"/api/v1/objectives/{api_world.company_objective.pk}/comments", {"body": "Hi"}
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_what_does_not_exist_is_a_404(api_world, api_tokens):
    client = api_tokens.client("leader")
    assert client.post("/api/v1/key-results/999999/values", {"value": 1}).status_code == 404
    assert client.get("/api/v1/teams/nobody/objective").status_code == 404
    assert client.get("/api/v1/teams/onboarding/checkins/2026-W99").status_code == 422
    assert client.post("/api/v1/key-results/abc/values", {"value": 1}).status_code == 422


@pytest.mark.django_db
def test_a_personal_token_follows_its_owners_role(api_world, api_tokens, lead):
    """A lead who leaves the team may no longer record its values; their team token
    stops working altogether (401)."""
    Membership.objects.filter(user=lead, team=api_world.team).delete()
    before = database_state()
    own = api_tokens.client("lead").post(values_path(api_world.key_result), {"value": 1})
    assert own.status_code == 403
    team = api_tokens.client("team_token").post(values_path(api_world.key_result), {"value": 1})
    assert team.status_code == 401
    assert "no longer leads" in team.json()["detail"]
    assert database_state() == before


@pytest.mark.django_db
def test_a_deactivated_owners_token_stops_at_once(api_world, api_tokens, member):
    client = api_tokens.client("member")
    assert client.get("/api/v1/cycles").status_code == 200
    member.is_active = False
    member.save(update_fields=["is_active"])
    response = client.get("/api/v1/cycles")
    assert response.status_code == 401
    assert "deactivated" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer lok_not-a-token", "Basic abc", "Token lok_x", "bearer"]
)
def test_a_header_that_holds_no_token_is_a_401(api_world, header):
    from django.test import Client

    response = Client().get("/api/v1/cycles", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.django_db
def test_the_last_use_is_noted(api_world, api_tokens):
    token = api_tokens.tokens["member"]
    assert token.last_used_at is None
    api_tokens.client("member").get("/api/v1/cycles")
    token.refresh_from_db()
    assert token.last_used_at is not None
