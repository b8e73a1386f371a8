"""Requests are counted per token (and tokens that are none, per address): over the
limit the answer is 429 with Retry-After, and nothing is written."""

from datetime import UTC, datetime

import pytest
import time_machine

from okrs.models import KeyResultUpdate
from tests.api.test_permissions import database_state

MID_MINUTE = datetime(2026, 11, 30, 9, 0, 15, tzinfo=UTC)


@pytest.mark.django_db
def test_a_token_over_its_limit_waits_for_the_next_minute(api_world, api_tokens, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_token": (3, 60)}
    client = api_tokens.client("team_token")
    path = f"/api/v1/key-results/{api_world.key_result.pk}/values"
    with time_machine.travel(MID_MINUTE, tick=False) as clock:
        for _ in range(3):
            assert client.post(path, {"value": 2}).status_code == 201
        before = database_state()
        refused = client.post(path, {"value": 3})
        assert refused.status_code == 429
        assert refused["Retry-After"] == "45"
        assert "45 seconds" in refused.json()["detail"]
        assert database_state() == before
        # Another token is counted apart.
        assert api_tokens.client("member").get("/api/v1/cycles").status_code == 200
        clock.shift(45)
        assert client.post(path, {"value": 3}).status_code == 201
    assert KeyResultUpdate.objects.count() == 4


@pytest.mark.django_db
def test_guessing_tokens_is_limited_per_address(api_world, settings):
    from django.test import Client

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_bad_token_address": (2, 60)}
    client = Client(REMOTE_ADDR="198.51.100.7")
    answers = [
        client.get("/api/v1/cycles", headers={"Authorization": f"Bearer lok_guess{n}"})
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [401, 401, 429]
    assert int(answers[2]["Retry-After"]) > 0
    other = Client(REMOTE_ADDR="198.51.100.8")
    assert other.get("/api/v1/cycles", headers={"Authorization": "Bearer lok_x"}).status_code == 401
