"""Signatures per Standard Webhooks, checked with its own library (`standardwebhooks`)."""

import json
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from webhooks import signing


def test_a_signed_body_passes_the_standard_webhooks_check():
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    body = json.dumps({"type": "checkin.submitted", "data": {"x": 1}}).encode()
    now = int(datetime.now(UTC).timestamp())
    headers = signing.headers(secret=secret, message_id="msg_1", timestamp=now, body=body)
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(secret).verify(body, headers) == {"type": "checkin.submitted", "data": {"x": 1}}


@pytest.mark.parametrize("tamper", ["body", "id", "secret"])
def test_a_changed_body_id_or_secret_fails_it(tamper):
    secret = signing.new_secret()
    body = b'{"type":"cycle.closed"}'
    now = int(datetime.now(UTC).timestamp())
    headers = signing.headers(secret=secret, message_id="msg_1", timestamp=now, body=body)
    if tamper == "body":
        body = b'{"type":"cycle.closed "}'
    elif tamper == "id":
        headers["webhook-id"] = "msg_2"
    else:
        secret = signing.new_secret()
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, headers)


def test_secrets_differ():
    assert len({signing.new_secret() for _ in range(20)}) == 20
