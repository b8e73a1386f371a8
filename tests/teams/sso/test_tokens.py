"""Tokens we craft and sign ourselves, through the real callback view and Authlib's
verification: the provider's metadata and keys are ours, the token endpoint answers
with the token under test. Each bad token is refused, recorded, and creates nothing;
a good one signs in (so the refusals are not the harness failing)."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from teams.models import AuditEvent, ExternalIdentity, User
from teams.sso import client as oidc

ISSUER = "https://idp.test/realms/acme"
CLIENT_ID = "lean-okrs"
SECRET = "a-client-secret-long-enough-for-hs256"
KEY = RSAKey.generate_key(2048, parameters={"kid": "good", "alg": "RS256", "use": "sig"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "good", "alg": "RS256", "use": "sig"})
STRANGER_KEY = RSAKey.generate_key(2048, parameters={"kid": "other", "alg": "RS256"})
METADATA = {
    "issuer": ISSUER,
    "authorization_endpoint": ISSUER + "/protocol/openid-connect/auth",
    "token_endpoint": ISSUER + "/protocol/openid-connect/token",
    "jwks_uri": ISSUER + "/protocol/openid-connect/certs",
    "id_token_signing_alg_values_supported": ["RS256"],
    "_loaded_at": 1,
}


@pytest.fixture
def provider(settings, monkeypatch):
    """The app configured for ISSUER, whose metadata, keys and token answer are ours."""
    settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID = ISSUER, CLIENT_ID
    settings.OIDC_CLIENT_SECRET, settings.OIDC_ENABLED = SECRET, True
    settings.OIDC_ALLOWED_DOMAINS = ["example.com"]
    settings.SITE_URL = "http://testserver"
    app = oidc.client()
    monkeypatch.setattr(app, "server_metadata", dict(METADATA))
    monkeypatch.setattr(
        app, "fetch_jwk_set", lambda force=False: {"keys": [KEY.as_dict(private=False)]}
    )
    answer = {}
    monkeypatch.setattr(app, "fetch_access_token", lambda **params: dict(answer["token"]))
    return answer


def claims(nonce: str, **changes) -> dict:
    now = int(time.time())
    values = {
        "iss": ISSUER,
        "sub": "subject-1",
        "aud": CLIENT_ID,
        "exp": now + 300,
        "iat": now,
        "nonce": nonce,
        "email": "ada@example.com",
        "email_verified": True,
        "name": "Ada",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def sign(values: dict, key=KEY, alg="RS256") -> str:
    return jwt.encode({"alg": alg, "kid": key.kid}, values, key)


def come_back(client, provider, make_token) -> object:
    """Press the button, then come back with the token `make_token(nonce)` gives."""
    start = client.get("/accounts/sso/start/")
    params = {k: v[0] for k, v in parse_qs(urlsplit(start["Location"]).query).items()}
    provider["token"] = {
        "access_token": "at",
        "token_type": "Bearer",
        **make_token(params["nonce"]),
    }
    return client.get("/accounts/sso/callback/", {"code": "c", "state": params["state"]})


def assert_refused(response) -> None:
    assert response.status_code == 403
    assert "_auth_user_id" not in response.wsgi_request.session
    assert not User.objects.exists() and not ExternalIdentity.objects.exists()
    refusal = AuditEvent.objects.get(action=AuditEvent.Action.SSO_REFUSED)
    assert refusal.subject.startswith("bad_token: ")


@pytest.mark.django_db
def test_a_good_token_signs_in(client, provider):
    response = come_back(client, provider, lambda nonce: {"id_token": sign(claims(nonce))})
    assert response.status_code == 302
    assert User.objects.get().email == "ada@example.com"
    assert ExternalIdentity.objects.get().subject == "subject-1"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda n: {"id_token": sign(claims(n), key=OTHER_KEY)}, id="another-key"),
        pytest.param(lambda n: {"id_token": sign(claims(n), key=STRANGER_KEY)}, id="unknown-kid"),
        pytest.param(lambda n: {"id_token": sign(claims(n, aud="someone-else"))}, id="wrong-aud"),
        pytest.param(
            lambda n: {"id_token": sign(claims(n, aud="someone-else", azp=CLIENT_ID))},
            id="wrong-aud-right-azp",
        ),
        pytest.param(
            lambda n: {"id_token": sign(claims(n, exp=int(time.time()) - 3600))}, id="expired"
        ),
        pytest.param(
            lambda n: {"id_token": sign(claims(n, iss="https://evil.test"))}, id="wrong-iss"
        ),
        pytest.param(lambda n: {"id_token": sign(claims("another-nonce"))}, id="wrong-nonce"),
        pytest.param(lambda n: {"id_token": sign(claims(None))}, id="no-nonce"),
        pytest.param(lambda n: {"id_token": sign(claims(n, sub=None))}, id="no-sub"),
        pytest.param(lambda n: {"id_token": sign(claims(n, exp=None))}, id="no-exp"),
        pytest.param(lambda n: {}, id="no-id-token"),
        pytest.param(lambda n: {"id_token": "not.a.token"}, id="garbage"),
        pytest.param(
            lambda n: {"id_token": sign(claims(n)).rsplit(".", 1)[0] + "."}, id="unsigned"
        ),
    ],
)
def test_a_bad_token_is_refused_and_creates_nothing(client, provider, make_token):
    assert_refused(come_back(client, provider, make_token))


@pytest.mark.django_db
def test_a_token_signed_with_hs256_and_the_client_secret_is_refused(client, provider):
    from joserfc.jwk import OctKey

    secret = OctKey.import_key(SECRET)
    response = come_back(
        client,
        provider,
        lambda n: {"id_token": jwt.encode({"alg": "HS256"}, claims(n), secret)},
    )
    assert_refused(response)


@pytest.mark.django_db
def test_a_provider_that_says_no_is_refused(client, provider):
    start = client.get("/accounts/sso/start/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    response = client.get("/accounts/sso/callback/", {"error": "access_denied", "state": state})
    assert_refused(response)
