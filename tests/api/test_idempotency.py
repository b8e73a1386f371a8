"""`Idempotency-Key`: a retried write records the value once, also when the two
requests arrive at once (PostgreSQL, real threads and connections)."""

import threading
import time

import pytest
from django.db import connection, connections

from api import services as api_services
from api.models import IdempotentWrite
from okrs.models import Comment, KeyResult, KeyResultUpdate
from teams.models import Membership
from tests.api.test_permissions import database_state


def values_path(kr) -> str:
    return f"/api/v1/key-results/{kr.pk}/values"


@pytest.mark.django_db
def test_the_same_key_twice_records_once_and_answers_the_same(api_world, api_tokens):
    client = api_tokens.client("team_token")
    key = {"Idempotency-Key": "2026-11-30-nightly"}
    first = client.post(values_path(api_world.key_result), {"value": 9}, headers=key)
    second = client.post(values_path(api_world.key_result), {"value": 9}, headers=key)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert "Idempotent-Replayed" not in first
    assert second["Idempotent-Replayed"] == "true"
    assert KeyResultUpdate.objects.count() == 1
    kr = KeyResult.objects.get(pk=api_world.key_result.pk)
    assert kr.version == api_world.key_result.version + 1


@pytest.mark.django_db
def test_another_request_under_a_used_key_is_refused(api_world, api_tokens):
    client = api_tokens.client("team_token")
    key = {"Idempotency-Key": "k1"}
    assert client.post(values_path(api_world.key_result), {"value": 9}, headers=key).status_code
    before = database_state()
    other = client.post(values_path(api_world.key_result), {"value": 10}, headers=key)
    assert other.status_code == 422
    assert "another request" in other.json()["detail"]
    assert database_state() == before


@pytest.mark.django_db
def test_keys_are_per_token(api_world, api_tokens):
    key = {"Idempotency-Key": "same"}
    for caller in ("team_token", "member"):
        response = api_tokens.client(caller).post(
            values_path(api_world.key_result), {"value": 4}, headers=key
        )
        assert response.status_code == 201
    assert KeyResultUpdate.objects.count() == 2


@pytest.mark.django_db
def test_a_failed_write_keeps_no_key(api_world, api_tokens):
    """A refused value rolls its key back with it: the corrected retry is recorded."""
    kr = api_world.key_result
    KeyResult.objects.filter(pk=kr.pk).update(kind=KeyResult.Kind.MILESTONE)
    client = api_tokens.client("member")
    key = {"Idempotency-Key": "retry-me"}
    assert client.post(values_path(kr), {"value": 5}, headers=key).status_code == 422
    assert not IdempotentWrite.objects.exists()
    assert client.post(values_path(kr), {"value": 1}, headers=key).status_code == 201
    assert KeyResultUpdate.objects.get(key_result=kr).value == 1


@pytest.mark.django_db
def test_a_key_too_long_is_refused(api_world, api_tokens):
    before = database_state()
    response = api_tokens.client("member").post(
        values_path(api_world.key_result), {"value": 1}, headers={"Idempotency-Key": "k" * 201}
    )
    assert response.status_code == 422
    assert database_state() == before


@pytest.mark.slow  # threads against PostgreSQL
@pytest.mark.django_db(transaction=True)
def test_two_requests_with_the_same_key_at_once_record_once(api_world, api_tokens, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("two writers at once need PostgreSQL; SQLite writes one at a time")
    original = api_services.okr_services.key_result_record

    def slow_record(**kwargs):
        # The first writer holds its key's row uncommitted while the second arrives.
        time.sleep(0.5)
        return original(**kwargs)

    monkeypatch.setattr(api_services.okr_services, "key_result_record", slow_record)
    path = values_path(api_world.key_result)
    start = threading.Barrier(2)
    answers: list = []

    def post():
        try:
            client = api_tokens.client("team_token")
            start.wait(timeout=10)
            answers.append(client.post(path, {"value": 11}, headers={"Idempotency-Key": "once"}))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert sorted(a.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]
    assert KeyResultUpdate.objects.filter(key_result=api_world.key_result).count() == 1
    assert IdempotentWrite.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_forgotten_after_a_day(api_world, api_tokens):
    from datetime import timedelta

    from django.utils import timezone

    from api.tasks import forget_old_idempotency_keys

    client = api_tokens.client("team_token")
    path = values_path(api_world.key_result)
    assert client.post(path, {"value": 9}, headers={"Idempotency-Key": "old"}).status_code == 201
    assert client.post(path, {"value": 9}, headers={"Idempotency-Key": "new"}).status_code == 201
    IdempotentWrite.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    assert forget_old_idempotency_keys() == 1
    assert list(IdempotentWrite.objects.values_list("key", flat=True)) == ["new"]
    # The forgotten key writes again; the kept one still answers without writing.
    assert client.post(path, {"value": 9}, headers={"Idempotency-Key": "old"}).status_code == 201
    kept = client.post(path, {"value": 9}, headers={"Idempotency-Key": "new"})
    assert kept["Idempotent-Replayed"] == "true"
    assert KeyResultUpdate.objects.count() == 3


@pytest.mark.django_db
def test_a_stale_value_keeps_no_key_and_the_current_version_then_records(api_world, api_tokens):
    """A 409 (someone changed the key result since the caller read it) rolls the key
    back too: the retry with the version now current is recorded, not refused."""
    kr = api_world.key_result
    client = api_tokens.client("member")
    key = {"Idempotency-Key": "stale-then-fresh"}
    stale = client.post(values_path(kr), {"value": 5, "version": kr.version - 1}, headers=key)
    assert stale.status_code == 409
    assert not IdempotentWrite.objects.exists()
    fresh = client.post(values_path(kr), {"value": 5, "version": kr.version}, headers=key)
    assert fresh.status_code == 201
    assert KeyResultUpdate.objects.filter(key_result=kr).count() == 1


@pytest.mark.django_db
def test_the_same_comment_twice_under_one_key_is_posted_once(api_world, api_tokens):
    client = api_tokens.client("member")
    path = f"/api/v1/objectives/{api_world.objective.pk}/comments"
    key = {"Idempotency-Key": "comment-1"}
    body = {"body": "The import runs nightly now."}
    first = client.post(path, body, headers=key)
    second = client.post(path, body, headers=key)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Comment.objects.filter(objective=api_world.objective).count() == 1


@pytest.mark.django_db
def test_a_retry_after_the_right_is_gone_is_refused_not_replayed(api_world, api_tokens, member):
    """The answer kept for a key is not a permission: a member who left the team gets
    403 for the retry, as for any other write."""
    client = api_tokens.client("member")
    key = {"Idempotency-Key": "before-leaving"}
    assert client.post(values_path(api_world.key_result), {"value": 7}, headers=key).status_code
    Membership.objects.filter(user=member, team=api_world.objective.team).delete()
    retry = client.post(values_path(api_world.key_result), {"value": 7}, headers=key)
    assert retry.status_code == 403
    assert "Idempotent-Replayed" not in retry
